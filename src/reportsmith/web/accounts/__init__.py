"""Accounts: users with a role (cluster / reviewer / admin), log-in, forced password change."""
