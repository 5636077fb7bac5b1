"""Writes of the subscriptions domain, one module per sub-domain.

The subscription state machine::

    pending ──pay──▶ active ──period ends unpaid──▶ past_due ──grace ends──▶ expired
       │               ▲  │                            │
       └─trial─▶ trialing  └─cancel at period end ─────┼──period ends──▶ canceled
                       │        (resume before the end)│
                       └──────────── pay ──────────────┘ (back to active)

It moves only through verified provider events (reported by
:mod:`lede.payments` to :mod:`lede.subscriptions.seller`) and staff or reader
actions. Every change of money or access appends to the ledger
(:class:`~lede.subscriptions.models.LedgerEntry`, unique ``event_key``) in the
same transaction, and the reader's entitlement — one
``AccessGrant(kind="subscription", source="subscription:<id>")`` whose
``ends_at`` is the end of the paid period — is updated with it
(:mod:`.ledger`). Cancelling at period end just lets ``ends_at`` pass.

- :mod:`.quoting`: coupons and what an offer costs;
- :mod:`.checkout`: buying a subscription (pending order) and free trials;
- :mod:`.fulfilment`: what a verified payment starts or extends;
- :mod:`.renewals`: paying the next period, plan changes, the scheduler's pass;
- :mod:`.dunning`: reminders, past due, grace and expiry;
- :mod:`.cancelling`: cancel, resume, and the provider stopping renewals;
- :mod:`.gifts` and :mod:`.groups`: gift codes and group licences;
- :mod:`.refunds`: what a refund takes back;
- :mod:`.orders`, :mod:`.ledger`, :mod:`.errors`: what they share.

Import each function from the module that owns it.
"""
