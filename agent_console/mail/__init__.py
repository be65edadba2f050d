"""The e-mail channel's mail handling: reading a received mail (MIME, charsets, HTML, bounces), folding quoted text
for display, composing the mails we send, and the SMTP/IMAP transports. No SQL, no UI: the rules that decide what a
mail becomes live in ``domain/mail_intake.py``."""
