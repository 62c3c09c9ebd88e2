"""An SMTP server for mail's tests that requires STARTTLS and AUTH.

Run with Debian's python3 (package python3-aiosmtpd):

    smtp_auth_server.py PORT MAILDIR CERT KEY USERNAME PASSWORD

Messages from an authenticated client are written to MAILDIR; the server
offers PLAIN and LOGIN, only after STARTTLS.
"""
import asyncio
import ssl
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    port, maildir, cert, key, username, password = sys.argv[1:7]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    handler = Mailbox(maildir)

    def authenticate(server, session, envelope, mechanism, data):
        ok = (
            isinstance(data, LoginPassword)
            and data.login == username.encode()
            and data.password == password.encode()
        )
        # handled=False: the server answers 535 itself on failure.
        return AuthResult(success=ok, handled=False)

    def factory():
        return SMTP(
            handler,
            tls_context=tls,
            require_starttls=True,
            auth_required=True,
            authenticator=authenticate,
        )

    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=int(port)))
    loop.run_forever()


if __name__ == "__main__":
    main()
