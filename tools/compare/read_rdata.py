#!/usr/bin/env python3
"""Read character vectors out of an R package's lazy-load data base (data/Rdata.rdb + .rdx).

Standard library only, so no R installation is needed. Implements just enough of R's
XDR serialization format (versions 2 and 3) for the objects found in data packages:
NULL, symbols, pairlists, logical/integer/double/character vectors, lists, references
and the compact-integer-sequence ALTREP class.

usage: read_rdata.py PKGDIR/data/Rdata          -> lists the objects in the data base
       read_rdata.py PKGDIR/data/Rdata NAME     -> prints character vector NAME, one element a line
"""
import bz2, gzip, lzma, struct, sys, zlib


class RVec(list):
    """An R vector; .attrs holds its attributes as a dict (e.g. 'names')."""
    attrs = {}


def lazyload_decompress(buf):
    """A lazy-load record: 4-byte big-endian length, then zlib data (or a type byte + bzip2/xz)."""
    n = struct.unpack(">I", buf[:4])[0]
    kind = buf[4:5]
    if kind == b"Z":
        out = lzma.decompress(buf[5:])
    elif kind == b"2":
        out = bz2.decompress(buf[5:])
    elif kind == b"0":
        out = buf[5:]
    else:
        out = zlib.decompress(buf[4:])
    assert len(out) == n, (len(out), n)
    return out


class Reader:
    def __init__(self, data):
        assert data[:2] == b"X\n", "only XDR serialization is supported"
        self.d, self.p, self.refs = data, 2, []
        version = self.int()
        self.int(); self.int()                    # writer's R version, minimal reader version
        if version == 3:
            n = self.int()                        # native encoding name
            self.p += n

    def int(self):
        v = struct.unpack_from(">i", self.d, self.p)[0]
        self.p += 4
        return v

    def pairlist(self, flags):
        out = []
        while True:
            t, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
            if t == 254:
                return out
            assert t in (2, 6), t
            if has_attr: self.obj()
            tag = self.obj() if has_tag else None
            out.append((tag, self.obj()))
            flags = self.int()

    def obj(self):
        flags = self.int()
        t, has_attr = flags & 0xFF, flags & (1 << 9)
        if t in (254, 242, 251, 253):             # NILVALUE, EMPTYENV, MISSINGARG, BASEENV
            return None
        if t == 255:                              # REFSXP
            i = flags >> 8
            return self.refs[(i if i else self.int()) - 1]
        if t == 1:                                # SYMSXP
            s = self.obj()
            self.refs.append(s)
            return s
        if t == 9:                                # CHARSXP
            n = self.int()
            if n == -1:
                return None
            s = self.d[self.p:self.p + n].decode("utf-8", "replace")
            self.p += n
            return s
        if t in (2, 6):                           # LISTSXP / LANGSXP -> list of (tag, value)
            return self.pairlist(flags)
        if t == 238:                              # ALTREP_SXP
            info, state, _ = self.obj(), self.obj(), self.obj()
            if info and info[0][1] == "compact_intseq":
                n, start, step = state
                return RVec(int(start + k * step) for k in range(int(n)))
            return state
        if t in (10, 13):                         # LGLSXP, INTSXP
            n = self.int()
            v = RVec(struct.unpack_from(">%di" % n, self.d, self.p)); self.p += 4 * n
        elif t == 14:                             # REALSXP
            n = self.int()
            v = RVec(struct.unpack_from(">%dd" % n, self.d, self.p)); self.p += 8 * n
        elif t in (16, 19, 20):                   # STRSXP, VECSXP, EXPRSXP
            v = RVec(self.obj() for _ in range(self.int()))
        else:
            raise ValueError("unsupported SEXP type %d" % t)
        if has_attr:
            v.attrs = dict(self.obj())
        return v


def named(v):
    return dict(zip(v.attrs["names"], v))


def load(base):
    """Returns {name: object} for every object in the lazy-load data base `base`(.rdx/.rdb)."""
    index = named(Reader(gzip.open(base + ".rdx").read()).obj())
    rdb = open(base + ".rdb", "rb").read()
    out = {}
    for name, (off, length) in named(index["variables"]).items():
        out[name] = Reader(lazyload_decompress(rdb[int(off):int(off) + int(length)])).obj()
    return out


def main():
    objs = load(sys.argv[1])
    if len(sys.argv) < 3:
        for name, v in objs.items():
            print(name, len(v) if isinstance(v, list) else type(v).__name__)
        return
    v = objs[sys.argv[2]]
    sys.stdout.write("".join((s or "") + "\n" for s in v))


if __name__ == "__main__":
    main()
