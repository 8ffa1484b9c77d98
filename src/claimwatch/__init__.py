"""claimwatch: alert when news coverage contradicts or follows up a baseline's claims."""

__version__ = "0.1.0"
