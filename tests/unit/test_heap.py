"""workflows/heap.py: what a run keeps for its whole life is built without collections and kept out of them until
the run is written; nothing stays frozen or paused afterwards."""

from __future__ import annotations

import gc
import weakref

import pytest

from workflows.heap import kept_for_the_run, out_of_collections


@pytest.fixture(autouse=True)
def nothing_frozen() -> None:
    """Each test starts with nothing frozen: an earlier test of this process may have prepared a run (frozen by
    `kept_for_the_run`) without executing it (whose end unfreezes all)."""
    gc.unfreeze()


def test_the_start_builds_without_collections_then_freezes_what_it_built() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with kept_for_the_run():
        assert not gc.isenabled()
        kept = [{"host": n} for n in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)  # the dicts, at least
    gc.unfreeze()


def test_a_failed_start_still_gives_the_collector_back() -> None:
    with pytest.raises(ValueError), kept_for_the_run():
        raise ValueError("inventory: bad")
    assert gc.isenabled()
    gc.unfreeze()


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with kept_for_the_run():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_run_keeps_its_objects_out_of_collections_only_until_it_is_written() -> None:
    """workflows.heap.out_of_collections: frozen inside (what existed, and what is frozen meanwhile), nothing left
    frozen afterwards, even when the run fails; a cycle made meanwhile is collected again after it."""

    class Node:
        def __init__(self) -> None:
            self.me = self

    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), out_of_collections():
        assert gc.get_freeze_count() > 0
        cycle = Node()
        gc.freeze()  # as execute() freezes the hosts' records
        frozen = gc.get_freeze_count()
        gc.collect()
        assert gc.get_freeze_count() == frozen  # a full collection leaves them frozen
        raise RuntimeError("the run failed")
    assert gc.get_freeze_count() == 0
    gone = weakref.ref(cycle)
    del cycle
    assert gone() is not None  # a cycle: not freed by its count of references
    gc.collect()
    assert gone() is None  # frozen meanwhile, yet garbage the collector finds again
