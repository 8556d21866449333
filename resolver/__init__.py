"""resolver: entity resolution for investigators of counterfeit sellers on Chinese platforms.

The public API: open a `Case`, give it a `Config` (or a folder, or nothing for the defaults),
and run the use cases — `ingest`, `match`, `train`, `load_graph`, `query`, `explain`, `report`,
`export`, and the judgements' (`judge`, `split`, `judgements`, `export_judgements`,
`import_judgements`, `evaluate`, `review`). Every error the user can act on is a `ResolverError`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("resolver")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

from resolver.case import Case
from resolver.config import Config
from resolver.errors import (
    CaseError,
    ConfigError,
    InputError,
    NotFound,
    NotLinked,
    ResolverError,
    StoreUnavailable,
)
from resolver.workflows import (
    GraphUpdate,
    JudgeResult,
    MatchResult,
    evaluate,
    explain,
    export,
    export_judgements,
    import_judgements,
    ingest,
    judge,
    judgements,
    load_graph,
    match,
    query,
    report,
    review,
    split,
    train,
)

__all__ = [
    "Case",
    "CaseError",
    "Config",
    "ConfigError",
    "GraphUpdate",
    "InputError",
    "JudgeResult",
    "MatchResult",
    "NotFound",
    "NotLinked",
    "ResolverError",
    "StoreUnavailable",
    "__version__",
    "evaluate",
    "explain",
    "export",
    "export_judgements",
    "import_judgements",
    "ingest",
    "judge",
    "judgements",
    "load_graph",
    "match",
    "query",
    "report",
    "review",
    "split",
    "train",
]
