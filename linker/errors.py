"""Errors a user can act on.

    LinkerError                 base: the CLI prints its message and exits 1
    ├── InputError              a file that cannot be analysed as given
    │   ├── FileMissing         no such file
    │   ├── EmptyDocument       the file holds no text
    │   ├── UnsupportedFormat   an extension linker does not read
    │   ├── EncodingError       bytes that no known Chinese encoding decodes
    │   ├── CorruptDocument     a damaged .docx/.xlsx/.pdf, or a binary file
    │   ├── NoTextLayer         a scanned or encrypted PDF
    │   └── ConverterMissing    .doc/.wps without LibreOffice installed
    ├── NoGoalSection           no 绩效目标 / 主要目标 section was found
    ├── NoEvidenceSection       nothing that could serve as evidence
    ├── ModelError              an encoder that cannot be loaded
    └── StoreError              the annotation store refused a change

Anything else escaping the library is a bug.
"""

from __future__ import annotations


class LinkerError(Exception):
    """Base of every error linker reports to a user."""


class InputError(LinkerError):
    pass


class FileMissing(InputError):
    pass


class EmptyDocument(InputError):
    pass


class UnsupportedFormat(InputError):
    pass


class EncodingError(InputError):
    pass


class CorruptDocument(InputError):
    pass


class NoTextLayer(InputError):
    pass


class ConverterMissing(InputError):
    pass


class NoGoalSection(LinkerError):
    pass


class NoEvidenceSection(LinkerError):
    pass


class ModelError(LinkerError):
    pass


class StoreError(LinkerError):
    pass
