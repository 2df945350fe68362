"""The built-in issuer: Open Badges 3.0 credentials (Data Integrity ``eddsa-rdfc-2022`` and VC-JWT),
Open Badges 2.0 hosted assertions with baked images, and a Bitstring Status List for revocation.

Entry points: :class:`sync.issuer.backend.BuiltinIssuer` (for the sync engine),
:func:`sync.issuer.verify.verify` (for the public verification page) and :mod:`sync.public`.
"""
