"""The choice of a region on the pages that narrow to one: the oversight home, roll-up
and findings, and the public list.

While the regions are few, a ``<select>`` of them all. Above ``FEW_REGIONS`` a
province's thousands of townships would make every page carry thousands of options,
so the page offers a text box instead: the name typed is searched on the server, one
match is chosen at once (a redirect to the page with its id), several are listed as
links (the first ``SHOWN_MATCHES``). Either way the page costs one query for the
choices (at most three while searching) and its size does not grow with the number
of regions. The chosen region travels by its id in the page's own parameter
(``within``, ``parent``, ``region``) as before, so links and bookmarks keep working;
the view checks that id against the user's scope before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, QueryDict

from reports.models import Agency

# Up to this many regions the choice is a <select>; beyond it a search by name.
FEW_REGIONS = 30
# The matches of a search listed at most; a longer name narrows them.
SHOWN_MATCHES = 20
MAX_SEARCH = 100
# Parameters a new choice drops: it starts the page's list from its first page.
_RESTART = ("page", "after", "before")


@dataclass
class RegionPicker:
    param: str  # the page's parameter carrying the chosen region's id
    label: str  # e.g. 下级区域
    empty_label: str  # what no choice means, e.g. 全部
    chosen: Agency | None
    many: bool  # too many regions for a select: a text box instead
    options: list[Agency] = field(default_factory=list)  # the select's regions
    search: str = ""  # the name typed
    matches: list[tuple[str, str]] = field(default_factory=list)  # (name, query string)
    match_count: int = 0
    clear_query: str = ""  # the page's query string without a choice
    redirect_query: str = ""  # set when the search matched one region: choose it

    @property
    def search_param(self) -> str:
        return f"{self.param}_q"

    @property
    def search_label(self) -> str:
        return f"{self.label}名称"

    @property
    def chosen_pk(self) -> int | None:
        return self.chosen.pk if self.chosen is not None else None

    @property
    def truncated(self) -> bool:
        return self.match_count > len(self.matches)

    def __bool__(self) -> bool:
        """Whether there is anything to choose: a region without sub-regions has none."""
        return self.many or bool(self.options)


def pick(
    request: HttpRequest,
    candidates: QuerySet[Agency],
    *,
    param: str,
    label: str,
    chosen: Agency | None,
    empty_label: str = "全部",
) -> RegionPicker:
    """The picker of ``candidates`` (agencies, listed in tree order) for this request.

    ``chosen`` is the region the page shows now, already checked by the view (an id
    outside the user's scope is the view's 404, as before the picker)."""
    regions = candidates.only("pk", "name", "path")
    # Any FEW_REGIONS + 1 of them say whether they are few, and only then are they
    # listed, in tree order sorted here: asked for in that order, PostgreSQL walked a
    # province's agencies down the path index looking for its regions (15 ms of the
    # roll-up's 33 at 150,000 agencies, bench/oversight.py).
    first = sorted(regions.order_by()[: FEW_REGIONS + 1], key=lambda a: a.path)
    many = len(first) > FEW_REGIONS
    picker = RegionPicker(
        param=param,
        label=label,
        empty_label=empty_label,
        chosen=chosen,
        many=many,
        options=[] if many else first,
        clear_query=_query(request.GET, param, None, f"{param}_q"),
    )
    if not many:
        return picker
    picker.search = (request.GET.get(picker.search_param) or "").strip()[:MAX_SEARCH]
    if not picker.search:
        return picker
    # A name typed in full wins over the longer names containing it.
    exact_first = Case(
        When(name=picker.search, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    found = regions.filter(name__icontains=picker.search)
    shown = list(found.order_by(exact_first, "path")[: SHOWN_MATCHES + 1])
    if len(shown) == 1 or (shown and shown[0].name == picker.search):
        picker.redirect_query = _query(request.GET, param, shown[0].pk, picker.search_param)
        return picker
    picker.match_count = found.count() if len(shown) > SHOWN_MATCHES else len(shown)
    picker.matches = [
        (r.name, _query(request.GET, param, r.pk, picker.search_param))
        for r in shown[:SHOWN_MATCHES]
    ]
    return picker


def _query(params: QueryDict, param: str, pk: int | None, search_param: str) -> str:
    """The page's query string with ``pk`` chosen (none if None) and the search done."""
    query = params.copy()
    for name in (search_param, *_RESTART):
        query.pop(name, None)
    if pk is None:
        query.pop(param, None)
    else:
        query[param] = str(pk)
    return query.urlencode()
