"""What people do with the e-mails of notices: stop a kind of them in one click."""
