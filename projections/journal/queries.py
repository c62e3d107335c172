"""The `trial-balance` report: every account the journal posted to, with its totals.

Per account, `debit` and `credit` are the totals posted to each side and `balance` is their
difference on the account's normal side (debit for assets, contra-revenue and expenses; credit for
liabilities and revenue), negative when the account stands on its other side. Rows come in chart
order (assets, liabilities, revenue, contra-revenue, expenses), then by account name.
`closed_periods` lists the `through` dates of the periods closed so far. The report reads one row
per account, however many events were posted.
"""

from __future__ import annotations

from typing import Any

from projections.journal import chart
from projections.journal.projection import ACCOUNTS, PERIODS
from projections.reports import Body, Context, Report, key, register
from projections.tables import Reader

READS = ("journal",)


def account_rows(reader: Reader, context: Context) -> list[dict[str, Any]]:
    """Each posted account with debit, credit and normal-side balance (minor units)."""
    found = [{"account": row["account"], "account_type": row["account_type"],
              "debit": row["debit"], "credit": row["credit"],
              "balance": chart.normal_balance(row["account"], row["debit"], row["credit"])}
             for row in reader.many(ACCOUNTS, context.conference)]
    return sorted(found, key=lambda r: (chart.TYPE_ORDER.index(r["account_type"]), r["account"]))


def balance(reader: Reader, context: Context, account: str) -> int:
    """One account's balance on its normal side (minor units; 0 if never posted to)."""
    row = reader.one(ACCOUNTS, context.conference, account)
    return 0 if row is None else chart.normal_balance(account, row["debit"], row["credit"])


def build_trial_balance(reader: Reader, context: Context) -> Body:
    accounts = account_rows(reader, context)
    rows = [{**row, **{k: context.money(row[k]) for k in ("debit", "credit", "balance")}}
            for row in accounts]
    return {"rows": rows,
            "totals": {"debit": context.money(sum(r["debit"] for r in accounts)),
                       "credit": context.money(sum(r["credit"] for r in accounts))},
            "closed_periods": [r["through"] for r in reader.many(PERIODS, context.conference)]}


register(Report("trial-balance", READS, build_trial_balance,
                (("Account", key("account")), ("Type", key("account_type")),
                 ("Debit", key("debit")), ("Credit", key("credit")),
                 ("Balance", key("balance"))), role="finance"))
