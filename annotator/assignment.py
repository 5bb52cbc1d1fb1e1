"""Handing out items: each reaches its overlap, nobody gets the same item twice."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class OpenItem:
    """An item that still has places: who holds it already, which slots they fill."""

    item_id: int
    holders: set[int] = field(default_factory=set)
    slots: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Dealt:
    item_id: int
    annotator_id: int
    slot: int


def deal(
    items: Iterable[OpenItem], annotators: Sequence[int], loads: Mapping[int, int], overlap: int
) -> list[Dealt]:
    """Give each open place to the least-loaded annotator who does not hold the item yet.

    `items` come in queue order, so the first items reach their overlap first and agreement can
    be measured early. `loads` counts what each annotator already holds; ties go to the one
    listed first. An item ends up with min(overlap, len(annotators)) holders.
    """
    heap = [(loads.get(annotator, 0), rank, annotator) for rank, annotator in enumerate(annotators)]
    heapq.heapify(heap)
    dealt: list[Dealt] = []
    for item in items:
        free_slots = (slot for slot in itertools.count() if slot not in item.slots)
        needed = overlap - len(item.holders)
        set_aside = []
        while needed > 0 and heap:
            load, rank, annotator = heapq.heappop(heap)
            if annotator in item.holders:
                set_aside.append((load, rank, annotator))
                continue
            dealt.append(Dealt(item.item_id, annotator, next(free_slots)))
            set_aside.append((load + 1, rank, annotator))
            needed -= 1
        for entry in set_aside:
            heapq.heappush(heap, entry)
    return dealt
