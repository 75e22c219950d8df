"""Money outside the chains and across them: fiat accounts, points, tickets, receipts."""
