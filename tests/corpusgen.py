"""Small generated corpora of seed-format articles (real Chinese sentences), and index snapshots to compare."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SENTENCES = [
    "行政院今天召開記者會，說明明年度的中央政府總預算。",
    "台北市政府宣布，捷運環狀線北段將在年底前動工。",
    "氣象署表示，鋒面通過後各地氣溫明顯下降，北部山區可能降雪。",
    "立法院三讀通過修正案，提高酒駕累犯的罰款金額。",
    "中央銀行理監事會決議維持利率不變，並密切注意物價走勢。",
    "高雄港貨櫃吞吐量較去年同期成長百分之八。",
    "衛福部提醒民眾，流感疫苗接種期間延長到三月底。",
    "台灣積體電路製造公司公布上季財報，營收再創新高。",
    "教育部將補助偏鄉學校更新資訊設備，預計受惠學生超過兩萬人。",
    "花蓮縣發生規模五點二地震，目前沒有傳出災情。",
    "环保署公布空气质量监测结果，中南部细悬浮微粒浓度偏高。",
    "国际油价连续三周上涨，国内汽柴油价格下周可能调升。",
    "故宮博物院推出新特展，展出宋代書畫精品五十餘件。",
    "交通部公路局提醒，連假期間國道將實施高乘載管制。",
    "農委會表示，颱風造成的農業損失已經超過三億元。",
    "台南市舉辦燈會，吸引大批遊客湧入安平古堡周邊。",
    "經濟部統計處指出，外銷訂單金額連續五個月正成長。",
    "新竹科學園區的廠商積極招募工程師，薪資水準持續提高。",
    "疾管署確認一例境外移入登革熱病例，已完成周邊環境清消。",
    "桃園國際機場第三航廈工程進度落後，預計延後一年啟用。",
]


def article_text(n: int) -> str:
    """Article number ``n``: a date line with a lede, then three paragraphs, all different for different n."""
    s = SENTENCES
    day = 1 + n % 28
    lede = f"{s[n % len(s)]}第{n}號報導。"
    paragraphs = [s[(n * 3 + k) % len(s)] + s[(n * 7 + k + 1) % len(s)] for k in range(3)]
    return f" date 2025-{1 + n % 12:02d}-{day:02d} {lede}\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"a{n:04d}.txt").write_text(article_text(n), encoding="utf-8")
    return folder


def snapshot(index_path: Path) -> dict[str, str]:
    """id -> content hash of every stored article (opens the index the way a reader does)."""
    from newsgrep.engines import open_index

    index = open_index(index_path)
    inventory = index.inventory()
    index.add_hashes(inventory)
    return inventory.hash_of


def newsgrep_process(*args: str, index_path: Path, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """``python -m newsgrep ARGS`` in its own session (so a signal can go to its whole process group)."""
    full_env = {**os.environ, "NEWSGREP_INDEX": str(index_path), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "newsgrep", *args],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def run_newsgrep(*args: str, index_path: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    proc = newsgrep_process(*args, index_path=index_path, env=env)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
