"""The demo phone bank (`dialer demo`): its campaign, fictional voters, events and carpools."""
