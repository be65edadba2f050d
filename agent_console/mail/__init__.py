"""The e-mail channel's mail handling: composing and parsing mails (pure, no SQL, no UI) and the transports that
speak SMTP and IMAP."""
