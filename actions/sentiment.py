"""Does a customer's message read as angry? The complaint form offers a human straight
away, and a handover gives the queue the reason "angry"; both ask this one function."""

from __future__ import annotations

# Words of an angry Chinese customer: insults and swearing, threats to leave, to go to the
# regulator (银保监, 12378), the press or the courts. Compared case-insensitively as
# substrings, so "销户" also covers "要销户".
ANGRY_WORDS = (
    "气死",
    "垃圾",
    "骗子",
    "混蛋",
    "滚",
    "破银行",
    "什么破",
    "太差劲",
    "太离谱",
    "恶心",
    "坑人",
    "欺负",
    "耍我",
    "有病",
    "你们有毛病",
    "无语",
    "受够了",
    "忍无可忍",
    "投诉你们",
    "投诉到底",
    "银保监",
    "金融监管",
    "12378",
    "曝光",
    "媒体",
    "报警",
    "起诉",
    "律师",
    "再也不",
    "销户",
    "他妈",
    "妈的",
    "tmd",
    "shit",
)
# Three exclamation marks (half- or full-width) in one message, together or apart
# (apart covers together: the form counted them, the handover looked for a run).
EXCLAMATIONS = 3
_CASEFOLDED = tuple(word.casefold() for word in ANGRY_WORDS)


def is_angry(text: str | None) -> bool:
    """Strong negative wording (insults, threats to go to the regulator or the press), or
    repeated exclamation marks."""
    if not text:
        return False
    if text.count("!") + text.count("！") >= EXCLAMATIONS:
        return True
    value = text.casefold()
    return any(word in value for word in _CASEFOLDED)
