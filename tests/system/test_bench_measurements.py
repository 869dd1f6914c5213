"""The CPU and memory benchmarks measure what they say: the ceiling's page is the results page's
size, and the server's processes are read from /proc."""

from __future__ import annotations

import mmap
import os
import sys

import pytest
from jinja2 import Environment

from bench.ceiling import template_from
from bench.processes import cpu_seconds, group, memory_kb, minor_faults

PAGE = (
    '<!doctype html><html><body><h1 class="big">Your next steps</h1><p>{{ not a variable }}</p>'
    '<form><input type="hidden" name="csrf_token" value="abc.def-123"></form></body></html>'
)


def test_the_ceiling_page_renders_the_page_back_at_the_same_size_with_one_variable():
    template, heading = template_from(PAGE)
    rendered = Environment(autoescape=True).from_string(template).render(heading=heading)
    assert heading == "Your next steps"
    assert len(rendered) == len(PAGE)
    assert rendered == PAGE.replace("abc.def-123", "x" * len("abc.def-123"))
    assert '<h1 class="big">Ours</h1>' in Environment(autoescape=True).from_string(template).render(heading="Ours")


def test_a_page_without_a_heading_is_refused():
    with pytest.raises(ValueError, match="h1"):
        template_from("<p>no heading</p>")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_this_process_is_read_from_proc():
    assert os.getpid() in group(os.getpgid(0))
    assert cpu_seconds(os.getpid()) > 0
    memory = memory_kb(os.getpid())
    assert memory["rss_kb"] > 1000
    assert memory["pss_kb"] is None or 0 < memory["pss_kb"] <= memory["rss_kb"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_page_faults_are_counted_as_fresh_memory_is_touched():
    """The CPU benchmark reports page faults per request: touching 8 MB of fresh memory faults in its pages."""
    size = 8 << 20
    before = minor_faults(os.getpid())
    with mmap.mmap(-1, size) as fresh:
        for offset in range(0, size, mmap.PAGESIZE):
            fresh[offset] = 1
    assert minor_faults(os.getpid()) - before >= size // mmap.PAGESIZE // 2
