"""E-mail: parsing, composing and the SMTP/IMAP transports (no SQL, no UI)."""
