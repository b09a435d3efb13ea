"""The web API seeds no demo data of its own.

This module is what puts ``api`` among the apps whose tables ``seed_demo --reset`` empties
(``crm.demo.wipe_demo_data`` finds it through the app registry): an idempotency key refers
to the logged segment its request made, so the keys go with the demo's ledger.
"""
