"""E-mail: the outbox and its sending, what each e-mail says, and the e-mails about sign-ups, places,
shifts, reminders and confirming a new account."""
