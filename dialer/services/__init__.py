"""Use cases: plain functions over ports (no Flask, RQ, Redis or Twilio imports here), one subpackage
per feature:

- calling: a volunteer's seat and its legs, dialling and pacing, the provider's callbacks, outcomes,
  texts after a call, calling shifts, the live figures and the dashboard;
- signups: events and their walk lists, carpools, pledges, knock-up rotas, the cascade of links;
- accounts: signing up and in, sign-in sessions, roles, a volunteer's phone and own pages;
- geography: postcodes, the marginal seats near a volunteer, what is on in each seat;
- campaigns: setting a campaign up (its caller ID, its voters imported from CSV);
- organising: running a campaign (open, pause, end), the organiser's home, timelines, exports;
- mail: the outbox and every e-mail the product sends;
- compliance: the audit log and the do-not-call list, which every feature writes to;
- data_protection: voters' access and erasure requests, volunteers' rights over their data;
- demo: the demo phone bank.

Beside them, what every feature stands on: `phone_bank` (the ports the use cases run on, and the
paths, job names and rooms they share with the edges), `row_locks` (serialising writers on one row)
and `health` (whether the product is fit to take calls).
"""
