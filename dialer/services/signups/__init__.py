"""Sign-ups: door-knocking events and their walk lists, carpools, pledges, knock-up rotas, the cascade
of personal links, and the sign-up slot offered beside a conversation."""
