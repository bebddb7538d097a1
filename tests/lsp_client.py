"""A minimal Language Server Protocol client for the tests: JSON-RPC over a child's pipes.

It does what an editor does and nothing more: frames messages with `Content-Length`, sends
requests and notifications, answers the server's own requests (`client/registerCapability`,
`workspace/applyEdit`) and collects notifications. A reader thread puts every message on a
queue, so each wait has a deadline and a hung server fails the test instead of hanging it.
Kept free of pygls: the tests check the bytes on the wire, not pygls' idea of them.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]


class LspClient:
    def __init__(self, cwd: Path, args: Optional[List[str]] = None, env: Optional[Dict[str, str]] = None) -> None:
        environ = dict(os.environ)
        environ["PYTHONPATH"] = str(ROOT) + os.pathsep + environ.get("PYTHONPATH", "")
        environ.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cachelint", "server", *(args or [])],
            cwd=str(cwd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ,
        )
        self._next_id = 0
        self._messages: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self.notifications: List[Dict[str, Any]] = []
        self.responses: Dict[int, Dict[str, Any]] = {}
        self.server_requests: List[Dict[str, Any]] = []
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # --- wire ----------------------------------------------------------------------------------
    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers: Dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    self._messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self._messages.put(json.loads(body.decode("utf-8")))

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for chunk in iter(lambda: self.process.stderr.read1(4096), b""):  # type: ignore[union-attr]
            self.stderr += chunk

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30.0) -> Any:
        """Send a request and wait for its response; the result, or AssertionError."""
        self._next_id += 1
        number = self._next_id
        self.send({"id": number, "method": method, "params": params})
        response = self.wait_for(lambda m: m.get("id") == number and "method" not in m, timeout)
        assert "error" not in response, f"{method} failed: {response['error']}"
        return response.get("result")

    def wait_for(self, matches: Callable[[Dict[str, Any]], bool], timeout: float = 30.0) -> Dict[str, Any]:
        """The next message `matches` accepts (earlier ones are kept); AssertionError at the deadline."""
        for message in self.notifications:
            if matches(message):
                self.notifications.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message in {timeout} s; stderr: {self.stderr.decode(errors='replace')[-2000:]}")
            try:
                message = self._messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"the server closed its stdout; stderr: {self.stderr.decode(errors='replace')[-2000:]}")
            if "method" in message and "id" in message:  # a request from the server
                self.server_requests.append(message)
                self.send({"id": message["id"], "result": self._answer(message)})
                continue
            if matches(message):
                return message
            self.notifications.append(message)

    @staticmethod
    def _answer(message: Dict[str, Any]) -> Any:
        if message["method"] == "workspace/applyEdit":
            return {"applied": True}
        return None

    # --- what an editor does -------------------------------------------------------------------
    def initialize(self, root: Path, encodings: Optional[List[str]] = None, resolve: bool = False) -> Dict[str, Any]:
        capabilities: Dict[str, Any] = {
            "textDocument": {
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "synchronization": {"didSave": True},
            },
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}, "applyEdit": True},
        }
        if encodings:
            capabilities["general"] = {"positionEncodings": encodings}
        if resolve:  # the code action's edit is asked for when the user picks the action
            capabilities["textDocument"]["codeAction"].update({"resolveSupport": {"properties": ["edit"]}, "dataSupport": True})
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": capabilities,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        })
        self.notify("initialized", {})
        return result

    def diagnostics(self, uri: str, version: Optional[int] = None, timeout: float = 30.0) -> List[Dict[str, Any]]:
        """The next diagnostics published for `uri` (for `version`, when given)."""
        message = self.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            and (version is None or m["params"].get("version") == version),
            timeout,
        )
        return message["params"]["diagnostics"]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})

    def change(self, uri: str, version: int, changes: List[Dict[str, Any]]) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})

    def close(self) -> int:
        """shutdown, exit, and the server's exit code."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def offset_of(text: str, position: Dict[str, int], encoding: str = "utf-16") -> int:
    """The character offset of an LSP position in `text`, counting as an editor does."""
    lines = _split_lines(text)
    line = position["line"]
    if line >= len(lines):
        return len(text)
    start = sum(len(part) for part in lines[:line])
    content = lines[line].rstrip("\r\n")
    used = 0
    for i, ch in enumerate(content):
        if used >= position["character"]:
            return start + i
        used += code_units(ch, encoding)
    return start + len(content)


def text_in_range(text: str, range_: Dict[str, Dict[str, int]], encoding: str = "utf-16") -> str:
    return text[offset_of(text, range_["start"], encoding) : offset_of(text, range_["end"], encoding)]


def apply_text_edits(text: str, edits: List[Dict[str, Any]], encoding: str = "utf-16") -> str:
    """`text` with LSP TextEdits applied (all relative to `text`, as the protocol says)."""
    spans = sorted(((offset_of(text, e["range"]["start"], encoding), offset_of(text, e["range"]["end"], encoding), e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def code_units(text: str, encoding: str = "utf-16") -> int:
    """Code units of `text` in `encoding`, counted by encoding it."""
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    if encoding == "utf-32":
        return len(text.encode("utf-32-le")) // 4
    return len(text.encode("utf-8"))


def _split_lines(text: str) -> List[str]:
    lines: List[str] = []
    start = 0
    i = 0
    while i < len(text):
        if text[i] == "\r":
            end = i + 2 if text[i + 1 : i + 2] == "\n" else i + 1
            lines.append(text[start:end])
            start = i = end
            continue
        if text[i] == "\n":
            lines.append(text[start : i + 1])
            start = i = i + 1
            continue
        i += 1
    lines.append(text[start:])
    return lines
