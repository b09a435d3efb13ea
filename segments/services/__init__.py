"""The segment services of SPEC section 4 (4.1 building, 4.4 logging): the public API.

Each module lists what it exports in ``__all__``.
"""

from .building import *  # noqa: F403
from .building import __all__ as _building
from .editing import *  # noqa: F403
from .editing import __all__ as _editing
from .posting import *  # noqa: F403
from .posting import __all__ as _posting

__all__ = [*_building, *_editing, *_posting]
