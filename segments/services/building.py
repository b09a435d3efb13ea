"""Building a segment (SPEC 4.1): create, add / reduce / refine, go back, preview, reuse."""

__all__: list[str] = []
