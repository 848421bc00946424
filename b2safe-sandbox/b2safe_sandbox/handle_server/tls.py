"""A self-signed certificate for the sandbox Handle server's HTTPS (loopback names only).

Handle servers usually run with self-signed certificates; clients point ``HTTPS_verify`` at the
certificate file (pyhandle accepts a CA bundle path there).
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
from pathlib import Path
from typing import Union

CERT_NAME = "handle-server.crt"
KEY_NAME = "handle-server.key"


def ensure_certificate(directory: Union[str, Path]) -> tuple[Path, Path]:
    """(certificate, key) paths in ``directory/tls``, generating them on first use.

    The certificate is valid for ``localhost``, ``127.0.0.1`` and ``::1`` for one year; the key
    file is written with mode 0600.
    """
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        from b2safe_sandbox.errors import SYS_CONFIG_FILE_ERR, SandboxError

        raise SandboxError("the sandbox Handle server's TLS needs the 'cryptography' package: "
                          "pip install cryptography", code=SYS_CONFIG_FILE_ERR) from None

    tls_dir = Path(directory) / "tls"
    cert_path, key_path = tls_dir / CERT_NAME, tls_dir / KEY_NAME
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    tls_dir.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "b2safe sandbox handle server")])
    now = _dt.datetime.now(_dt.timezone.utc)
    alt_names = [x509.DNSName("localhost"),
                 x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.IPAddress(ipaddress.ip_address("::1"))]
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    descriptor = os.open(str(key_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert_path: Union[str, Path], key_path: Union[str, Path]) -> ssl.SSLContext:
    """A TLS server context serving ``cert_path``/``key_path``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert_path), str(key_path))
    return context
