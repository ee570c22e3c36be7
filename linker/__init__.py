"""linker: link the goals of Chinese budget-performance reports to their evidence.

The pipeline stages, in order: :mod:`linker.io` (readers), :mod:`linker.normalize`,
:mod:`linker.structure`, :mod:`linker.goals` / :mod:`linker.evidence`
(:mod:`linker.quantities`), :mod:`linker.match` (:mod:`linker.encoders`),
:mod:`linker.status`, :mod:`linker.graph`, :mod:`linker.report`. Use
:func:`linker.pipeline.analyze`; nothing heavy is imported here.
"""

__version__ = "0.1.0"
