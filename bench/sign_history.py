#!/usr/bin/env python3
"""Rewrites a linear git history so that every commit is SSH-signed and every tree has
`[trust]` in evident.toml and an allowed signers file at `.evident/allowed_signers`
listing KEY.pub for every commit author. Used by bench/trust.sh.

    sign_history.py REPO KEY     (KEY: an unencrypted private key; KEY.pub next to it)

The new objects are written as loose objects; the current branch is moved to the new head.
One `ssh-keygen -Y sign` per commit (as `git commit -S` would run).
"""
import hashlib
import os
import subprocess
import sys
import zlib

repo, key = sys.argv[1], sys.argv[2]
git_dir = subprocess.run(["git", "-C", repo, "rev-parse", "--absolute-git-dir"],
                         check=True, capture_output=True, text=True).stdout.strip()


def git(*args, **kw):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, **kw).stdout


def write(kind, body):
    data = f"{kind} {len(body)}\0".encode() + body
    oid = hashlib.sha1(data).hexdigest()
    path = os.path.join(git_dir, "objects", oid[:2], oid[2:])
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(zlib.compress(data, 1))
    return oid


class Reader:
    """`git cat-file --batch`: one process for every object read."""

    def __init__(self):
        self.p = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, oid):
        self.p.stdin.write(oid.encode() + b"\n")
        self.p.stdin.flush()
        header = self.p.stdout.readline().split()
        size = int(header[2])
        body = self.p.stdout.read(size)
        self.p.stdout.read(1)
        return body


def tree_entries(body):
    out, i = [], 0
    while i < len(body):
        sp = body.index(b" ", i)
        nul = body.index(b"\0", sp)
        out.append((body[i:sp], body[sp + 1:nul], body[nul + 1:nul + 21]))
        i = nul + 21
    return out


def tree_body(entries):
    key_of = lambda e: e[1] + (b"/" if e[0] == b"40000" else b"")
    return b"".join(m + b" " + n + b"\0" + h for m, n, h in sorted(entries, key=key_of))


def sign(payload):
    out = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", key],
                         input=payload, check=True, capture_output=True).stdout
    return out


commits = git("rev-list", "--reverse", "--topo-order", "HEAD", text=True).split()
authors = sorted(set(git("log", "--format=%ae", "HEAD", text=True).split()))
public = open(key + ".pub").read().split()
signers = f"{','.join(authors)} {public[0]} {public[1]} bench\n".encode()
signers_blob = write("blob", signers)
evident_tree = write("tree", tree_body([(b"100644", b"allowed_signers", bytes.fromhex(signers_blob))]))
trust = b'\n[trust]\nallowed-signers = ".evident/allowed_signers"\nrequire-signed = ["verdicts", "automation", "admin"]\n'

reader = Reader()
new_config = {}  # old evident.toml blob -> new one
new_root = {}  # old root tree -> new one
mapped = {}  # old commit -> new commit
for n, old in enumerate(commits):
    body = reader.read(old)
    head, _, message = body.partition(b"\n\n")
    lines = head.split(b"\n")
    tree = lines[0].split()[1].decode()
    if tree not in new_root:
        entries = []
        for mode, name, oid in tree_entries(reader.read(tree)):
            if name == b"evident.toml":
                h = oid.hex()
                if h not in new_config:
                    new_config[h] = write("blob", reader.read(h) + trust)
                oid = bytes.fromhex(new_config[h])
            if name != b".evident":
                entries.append((mode, name, oid))
        entries.append((b"40000", b".evident", bytes.fromhex(evident_tree)))
        new_root[tree] = write("tree", tree_body(entries))
    out = [b"tree " + new_root[tree].encode()]
    for line in lines[1:]:
        if line.startswith(b"parent "):
            out.append(b"parent " + mapped[line.split()[1].decode()].encode())
        elif not line.startswith(b"gpgsig") and not line.startswith(b" "):
            out.append(line)
    payload = b"\n".join(out) + b"\n\n" + message
    sig = sign(payload).rstrip(b"\n").split(b"\n")
    signed = out + [b"gpgsig " + sig[0]] + [b" " + s for s in sig[1:]]
    mapped[old] = write("commit", b"\n".join(signed) + b"\n\n" + message)
    if n % 1000 == 999:
        print(f"signed {n + 1} of {len(commits)} commits", file=sys.stderr)

branch = git("symbolic-ref", "HEAD", text=True).strip()
git("update-ref", branch, mapped[commits[-1]])
git("reset", "-q", "--hard")
print(mapped[commits[-1]])
