"""The e-mail channel's pure logic: reading a received mail (MIME, charsets, HTML, bounces) and folding quoted text
for display. No SQL, no UI, no network: the rules that decide what a mail becomes live in ``domain/mail_intake.py``."""
