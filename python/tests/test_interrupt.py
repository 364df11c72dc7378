"""Ctrl-C stops a long run promptly with KeyboardInterrupt."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import trialsim

SCRIPT = textwrap.dedent(
    """
    import sys, time, trialsim
    s = trialsim.load("ketamine-ampar-2026")
    print("started", flush=True)
    t0 = time.monotonic()
    try:
        s.{call}
    except KeyboardInterrupt:
        print("interrupted after %.2f s" % (time.monotonic() - t0), flush=True)
        sys.exit(42)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
@pytest.mark.parametrize(
    "call",
    [
        # Far more trials than the test waits for (minutes of work).
        "power(reps=1_000_000, seed=1, threads=1)",
        "power_shard(1, 2, reps=1_000_000, seed=1, threads=1)",
        "sample_size('clinical:madrs_change', 0.99, reps=100_000, seed=1, threads=1)",
    ],
)
def test_sigint_raises_keyboard_interrupt_promptly(call, tmp_path):
    p = subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(call=call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,  # not the source tree: `python -c` imports from the working directory
    )
    try:
        assert p.stdout.readline().strip() == "started"
        time.sleep(3.0)  # well inside the run (the truths alone take about a second)
        assert p.poll() is None, "the run ended before the signal"
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 42, (out, err)
    assert "interrupted after" in out
    # Prompt: the caller polls every 50 ms (generous bound for a loaded 2-core machine).
    assert waited < 5.0, waited


def test_progress_callback_error_stops_the_run():
    # An exception raised by the progress display (here: a broken stderr) stops the run too.
    class Broken:
        def write(self, _):
            raise RuntimeError("display broke")

        def flush(self):
            pass

    s = trialsim.load("peer-comparison")
    saved = sys.stderr
    sys.stderr = Broken()
    try:
        with pytest.raises(RuntimeError, match="display broke"):
            s.power(reps=100_000, seed=1, threads=1, progress=True)
    finally:
        sys.stderr = saved
