"""What a benchmark ran on, for the head of its report: the same lines in every
report, so runs can be compared."""

import os
import platform
import re
from pathlib import Path


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "?",
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
