#!/usr/bin/python3
"""A mail server for the CLI tests: Debian's aiosmtpd on 127.0.0.1, which refuses MAIL before
STARTTLS and AUTH before TLS, takes one login, and parses each message it receives (MIME) into
DIR/mail-N.json: the envelope, the headers, the text, and each attachment's name, type and SHA-256.

    /usr/bin/python3 smtp_stand_in.py DIR CERT KEY USER PASSWORD

Writes the port to DIR/smtp-port once it accepts connections; stops on SIGTERM or SIGINT.
"""

import email
import email.policy
import hashlib
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def write(path, text):
    with open(path + ".part", "w") as f:
        f.write(text)
    os.replace(path + ".part", path)


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        text, attachments = "", []
        for part in message.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                data = part.get_payload(decode=True)
                attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                                    "sha256": hashlib.sha256(data).hexdigest()})
            elif part.get_content_type() == "text/plain":
                text += part.get_content()
        self.count += 1
        write(os.path.join(self.out, "mail-%d.json" % self.count), json.dumps({
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "mail_from": envelope.mail_from,
            "rcpt_to": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "text": text,
            "attachments": attachments,
        }, indent=2))
        return "250 OK"


def main():
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd warns about its own use of login_data
    out, cert, key, user, password = sys.argv[1:6]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    with socket.socket() as s:  # a free port; the controller binds it right after
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(out), hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
                            authenticator=authenticate, auth_required=True, auth_require_tls=True)
    controller.start()
    write(os.path.join(out, "smtp-port"), str(port))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
