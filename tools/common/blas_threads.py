"""Sizes OpenBLAS's thread pool from a script's --threads option, before torch is imported.

Debian's torch does its products in OpenBLAS, whose pool is sized from OPENBLAS_NUM_THREADS once, when the library
loads; torch.set_num_threads sizes only the OpenMP pool of the element-wise operations. A script that takes
--threads N calls size_from_argv() before `import torch` and torch.set_num_threads(N) after it. A value already in
the environment wins.
"""
import os
import sys


def threads_in_argv(default):
    """The value of --threads N or --threads=N in sys.argv, or default."""
    for i, v in enumerate(sys.argv):
        if v == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if v.startswith("--threads="):
            return v.split("=", 1)[1]
    return default


def size_from_argv(default="2"):
    """Sets OPENBLAS_NUM_THREADS from --threads (or default) unless the environment already has it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", threads_in_argv(default))
