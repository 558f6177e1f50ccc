"""Copies and near-copies of one story (newsgrep.stories), on articles written for these tests."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys

import pytest

from newsgrep import stories
from newsgrep.stories import Candidate, article_signature, assign, group, same_story, similarity

TITLE = "花蓮港區新建防波堤完工　縣府：颱風季前可降低浪損"
PARAGRAPHS = [
    "花蓮縣政府今天宣布，花蓮港區北側新建的防波堤工程已經完工，全長約800公尺，總經費新台幣12億元，"
    "由中央與地方共同分擔。縣長在完工典禮上表示，過去每逢颱風季節，港區漁船與碼頭設施經常受到大浪衝擊，"
    "新防波堤啟用後，預估可以降低七成以上的浪損。",
    "交通部航港局指出，這項工程自2022年動工，期間曾因豪雨與地震兩度停工，施工團隊調整工法，"
    "改用大型消波塊並加深基礎，才在今年秋天順利完成。航港局也將持續監測堤身沉陷與消波效果，每季公布一次檢測結果。",
    "當地漁會理事長說，漁民期待這道防波堤已經很久，以後颱風來臨前不必再把漁船拖到外港避難，"
    "可以省下不少時間與油錢。不過也有環保團體擔心，堤防改變海流後可能影響附近沙灘，"
    "呼籲縣府在明年春天前完成環境追蹤報告。",
    "縣府表示，下一階段將整修南側舊碼頭，並規劃觀光步道，希望在兩年內讓港區兼具漁業與觀光功能。",
]
TEXT = "\n\n".join(PARAGRAPHS)

# The same article as a Simplified site runs it, with full-width digits.
TITLE_SIMPLIFIED = "花莲港区新建防波堤完工　县府：台风季前可降低浪损"
TEXT_SIMPLIFIED = "\n\n".join(
    [
        "花莲县政府今天宣布，花莲港区北侧新建的防波堤工程已经完工，全长约８００公尺，总经费新台币１２亿元，"
        "由中央与地方共同分担。县长在完工典礼上表示，过去每逢台风季节，港区渔船与码头设施经常受到大浪冲击，"
        "新防波堤启用后，预估可以降低七成以上的浪损。",
        "交通部航港局指出，这项工程自２０２２年动工，期间曾因豪雨与地震两度停工，施工团队调整工法，"
        "改用大型消波块并加深基础，才在今年秋天顺利完成。航港局也将持续监测堤身沉陷与消波效果，每季公布一次检测结果。",
        "当地渔会理事长说，渔民期待这道防波堤已经很久，以后台风来临前不必再把渔船拖到外港避难，"
        "可以省下不少时间与油钱。不过也有环保团体担心，堤防改变海流后可能影响附近沙滩，"
        "呼吁县府在明年春天前完成环境追踪报告。",
        "县府表示，下一阶段将整修南侧旧码头，并规划观光步道，希望在两年内让港区兼具渔业与观光功能。",
    ]
)

# A later crawl: the cost corrected in one line, and an update stamp added.
TEXT_RECRAWL = "\n\n".join(
    [PARAGRAPHS[0].replace("總經費新台幣12億元", "總經費新台幣12.5億元"), *PARAGRAPHS[1:], "（更新時間：下午3時20分）"]
)

# The wire version, as two outlets run it: their own dateline, headline and footer.
WIRE_A = "（中央社記者林志明花蓮30日電）" + TEXT + "\n\n本網站之文字、圖片及影音，非經授權，不得轉載、公開播送或公開傳輸及利用。"
WIRE_B = (
    "記者林志明／花蓮報導\n\n"
    + TEXT
    + "\n\n延伸閱讀：花蓮觀光季開跑　縣府推出住宿補助\n\n更多新聞請下載本台APP，加入LINE好友第一時間掌握"
)
WIRE_B_TITLE = "花蓮港新防波堤完工　估可減七成浪損"

# Another story about the same harbour, the same people and words: an earlier event, one background paragraph shared.
OTHER_TITLE = "花蓮港區防波堤工程再停工　航港局：地震後需重新評估"
OTHER_TEXT = "\n\n".join(
    [
        "花蓮近海上週發生規模6.2地震後，港區北側正在興建的防波堤出現局部位移，交通部航港局昨天宣布工程暫停，"
        "將委請學者進行結構安全評估，最快下個月才能決定是否復工。",
        "航港局表示，初步檢查發現兩處消波塊滑落，堤身基礎則未見明顯裂縫，但為了施工人員安全，"
        "必須等評估完成再繼續作業。縣政府也要求承包商提出補強計畫，並每週回報進度。",
        PARAGRAPHS[2],
        "縣議員在議會質詢時批評，工程已經兩度停工，經費恐怕再追加，要求縣府向中央爭取更多補助，"
        "並公開延宕原因，避免預算無止境膨脹。",
    ]
)


def sig(title: str, text: str) -> str:
    return article_signature(title, text)


# ---------------------------------------------------------------------------
# What groups and what does not


def test_traditional_article_and_its_simplified_copy_are_one_story():
    a, b = sig(TITLE, TEXT), sig(TITLE_SIMPLIFIED, TEXT_SIMPLIFIED)
    assert similarity(a, b) == 1.0
    assert same_story(a, b)


def test_a_recrawl_with_one_changed_line_is_a_copy():
    a, b = sig(TITLE, TEXT), sig(TITLE, TEXT_RECRAWL)
    assert 0.8 < similarity(a, b) < 1.0
    assert same_story(a, b)


def test_a_wire_story_under_two_outlets_datelines_headlines_and_footers_is_one_story():
    a, b = sig(TITLE, WIRE_A), sig(WIRE_B_TITLE, WIRE_B)
    assert similarity(a, b) > 0.7
    assert stories.title_similarity(a, b) >= stories.TITLE_THRESHOLD
    assert same_story(a, b)


def test_another_event_with_the_same_names_and_a_shared_paragraph_is_another_story():
    a, b = sig(TITLE, TEXT), sig(OTHER_TITLE, OTHER_TEXT)
    assert 0.05 < similarity(a, b) < stories.THRESHOLD
    assert not same_story(a, b)


def test_the_same_body_under_unrelated_headlines_is_not_a_copy():
    # A scraper that saved a site's list of other stories as every page's body: only the headline differs.
    a = sig(TITLE, TEXT)
    b = sig("立法院三讀通過長照法修正案　失能者補助提高", TEXT)
    assert similarity(a, b) > 0.9
    assert stories.title_similarity(a, b) < stories.TITLE_THRESHOLD
    assert not same_story(a, b)


def test_short_texts_are_copies_only_when_identical_after_folding():
    a = sig("快訊", "花蓮外海地震，規模5.1，最大震度4級")
    b = sig("快讯", "花莲外海地震，规模５.１，最大震度４级")
    c = sig("快訊", "花蓮外海地震，規模5.2，最大震度4級")
    assert len(stories.compact("快訊\n花蓮外海地震，規模5.1，最大震度4級")) < stories.MIN_CHARS
    assert same_story(a, b) and similarity(a, b) == 1.0
    assert not same_story(a, c) and similarity(a, c) == 0.0
    assert not same_story(a, sig(TITLE, TEXT))
    assert stories.band_keys(a) == stories.band_keys(b) and len(stories.band_keys(a)) == 1


def test_copies_share_a_band_key_and_other_stories_need_not():
    keys = set(stories.band_keys(sig(TITLE, TEXT)))
    assert len(keys) == stories.BANDS
    assert keys & set(stories.band_keys(sig(TITLE, TEXT_RECRAWL)))
    assert keys & set(stories.band_keys(sig(WIRE_B_TITLE, WIRE_B)))
    assert stories.candidate_probability(stories.THRESHOLD) > 0.99


# ---------------------------------------------------------------------------
# Grouping


def test_group_joins_copies_and_names_each_story_by_its_smallest_id():
    items = [
        ("c-wire", sig(WIRE_B_TITLE, WIRE_B)),
        ("b-simplified", sig(TITLE_SIMPLIFIED, TEXT_SIMPLIFIED)),
        ("d-other", sig(OTHER_TITLE, OTHER_TEXT)),
        ("a-recrawl", sig(TITLE, TEXT_RECRAWL)),
    ]
    assert group(items) == {"a-recrawl": "a-recrawl", "b-simplified": "a-recrawl", "c-wire": "a-recrawl", "d-other": "d-other"}


def test_assign_joins_the_story_of_the_best_matches_and_passes_over_its_own_old_version():
    stored = [
        Candidate("x", sig(TITLE, TEXT), "x"),
        Candidate("y", sig(OTHER_TITLE, OTHER_TEXT), "y"),
    ]
    joined = assign("z", sig(TITLE, TEXT_RECRAWL), stored)
    assert joined.story == "x" and [i for i, _ in joined.matches] == ["x"] and joined.relabel == ()
    alone = assign("y", sig(OTHER_TITLE, OTHER_TEXT), stored)  # re-ingest of y: not a copy of itself
    assert alone.story == "y" and alone.matches == ()


def test_an_article_that_bridges_two_stories_merges_them_under_the_smallest_id():
    # Two versions that are not copies of each other (one paragraph in common), and the whole that both are copies of.
    left = "\n\n".join(PARAGRAPHS[0:2])
    right = "\n\n".join(PARAGRAPHS[1:3])
    bridge = "\n\n".join(PARAGRAPHS[0:3])
    s_left, s_right, s_bridge = sig(TITLE, left), sig(TITLE, right), sig(TITLE, bridge)
    assert not same_story(s_left, s_right)
    assert same_story(s_left, s_bridge) and same_story(s_right, s_bridge)
    stored = [Candidate("m", s_left, "m"), Candidate("k", s_right, "k")]
    joined = assign("p", s_bridge, stored)
    assert joined.story == "k" and joined.relabel == ("m",)
    first = assign("a", s_bridge, stored)  # a smaller id than both: both stories are relabelled
    assert first.story == "a" and first.relabel == ("k", "m")
    assert group([("m", s_left), ("k", s_right), ("p", s_bridge)]) == {"m": "k", "k": "k", "p": "k"}


def test_incremental_assignment_in_any_order_ends_where_group_does():
    texts = {
        "01": (TITLE, TEXT),
        "02": (TITLE_SIMPLIFIED, TEXT_SIMPLIFIED),
        "03": (TITLE, TEXT_RECRAWL),
        "04": (WIRE_B_TITLE, WIRE_B),
        "05": (TITLE, WIRE_A),
        "06": (OTHER_TITLE, OTHER_TEXT),
        "07": (OTHER_TITLE, OTHER_TEXT.replace("規模6.2", "規模6.3")),
        "08": ("快訊", "花蓮外海地震，規模5.1"),
        "09": ("快讯", "花莲外海地震，规模５.１"),
        "10": ("快訊", "花蓮外海地震，規模5.2"),
    }
    sigs = {i: sig(*t) for i, t in texts.items()}
    expected = group(sigs.items())
    assert len(set(expected.values())) == 4
    rng = random.Random(7)
    for _ in range(20):
        order = list(sigs)
        rng.shuffle(order)
        story: dict[str, str] = {}
        for i in order:
            keys = set(stories.band_keys(sigs[i]))
            candidates = [Candidate(j, sigs[j], story[j]) for j in story if keys & set(stories.band_keys(sigs[j]))]
            a = assign(i, sigs[i], candidates)
            for j in story:
                if story[j] in a.relabel:
                    story[j] = a.story
            story[i] = a.story
        assert story == expected


def test_representative_is_the_earliest_then_the_most_complete():
    short, full = sig(TITLE, TEXT), sig(TITLE, TEXT_RECRAWL)
    members = [
        Candidate("b", full, "a", dt.date(2025, 5, 2)),
        Candidate("a", short, "a", dt.datetime(2025, 5, 1, 9, 30)),
        Candidate("c", full, "a", dt.date(2025, 5, 1)),
        Candidate("d", full, "a", None),
    ]
    assert stories.representative(members).id == "c"
    assert stories.size(full) > stories.size(short)


# ---------------------------------------------------------------------------
# The signature itself


def reference_hashes(folded: str) -> set[int]:
    """Every shingle's hash, one at a time: what the big-integer lanes must compute."""
    units = stories.compact(folded).encode("utf-16-le")
    out = set()
    for i in range(len(units) // 2 - stories.SHINGLE + 1):
        p = int.from_bytes(units[2 * i : 2 * i + 2 * stories.SHINGLE], "little") * stories._M
        out.add((((p ^ (p >> 64)) & (2**64 - 1)) >> (64 - stories._HASH_BITS)))
    return out


def reference_values(folded: str) -> tuple[list[int], int]:
    shingles = len(stories.compact(folded)) - stories.SHINGLE + 1
    cut = stories._cut_for(shingles)
    values = [stories._UNKNOWN] * stories.BINS
    for h in reference_hashes(folded):
        if h < cut:
            b = h % stories.BINS
            values[b] = min(values[b], h >> 7)
    return values, stories._cut_value(cut)


@pytest.mark.parametrize("length", [50, 51, 200, 470, 480, 1000, 3000, 20000])
def test_the_vectorised_hashes_are_the_one_at_a_time_hashes(length):
    rng = random.Random(length)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 300)] + list("abc123") + ["\U00020000", "\U0002a6a5"]
    folded = "".join(rng.choice(alphabet) for _ in range(length))
    folded = folded[: length // 3] + folded[: length // 3] + folded[length // 3 :]  # repeated shingles too
    decoded = stories._decode(stories.signature(folded))
    assert (list(decoded.values), decoded.cut) == reference_values(folded)


def test_estimates_follow_the_exact_resemblance():
    rng = random.Random(11)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    base = "".join(rng.choice(alphabet) for _ in range(2000))
    for keep in (0.9, 0.7, 0.5, 0.3):
        cut = int(len(base) * keep)
        other = base[:cut] + "".join(rng.choice(alphabet) for _ in range(len(base) - cut))
        x, y = reference_hashes(base), reference_hashes(other)
        exact = len(x & y) / len(x | y)
        assert abs(similarity(stories.signature(base), stories.signature(other)) - exact) < 0.12


def test_signatures_are_the_same_in_another_process_with_another_hash_seed():
    code = (
        "from newsgrep.stories import article_signature, band_keys; import sys; "
        "s = article_signature(sys.argv[1], sys.argv[2]); print(s); print(' '.join(band_keys(s)))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", code, TITLE, TEXT], capture_output=True, text=True, env=env, check=True)
        outputs.add(run.stdout)
    here = sig(TITLE, TEXT)
    assert outputs == {here + "\n" + " ".join(stories.band_keys(here)) + "\n"}


def test_the_signature_of_a_known_text_is_pinned():
    """Stored signatures and band keys must not change silently: a change here needs stories.VERSION bumped."""
    s = sig(TITLE, TEXT)
    assert stories.SCHEME == "oph-minhash/v1/shingle5/bins128/rows3/min50"
    assert hashlib.sha256(s.encode()).hexdigest()[:16] == PINNED_SIGNATURE_SHA256
    assert stories.band_keys(s)[:3] == PINNED_BAND_KEYS
    assert stories.band_keys(sig("快訊", "花蓮外海地震，規模5.1")) == PINNED_SHORT_KEYS


PINNED_SIGNATURE_SHA256 = "f6653d1d259e7b2c"
PINNED_BAND_KEYS = ["00fa087fa1ffff", "01e6ad9e90b57c", "020d1c81237d91"]
PINNED_SHORT_KEYS = ["x06c53d5264d74e24"]


def test_a_signature_from_elsewhere_is_refused():
    with pytest.raises(ValueError, match="not a story signature"):
        similarity("%%%", sig(TITLE, TEXT))
    packed = bytearray(base64.urlsafe_b64decode(sig(TITLE, TEXT) + "=="))
    packed[0] = stories.VERSION + 1
    with pytest.raises(ValueError, match="version 2"):
        stories.band_keys(base64.urlsafe_b64encode(bytes(packed)).decode().rstrip("="))


def test_story_keys_table_finds_the_articles_sharing_most_keys_and_forgets_removed_ones(tmp_path):
    from newsgrep.engines.whoosh_story_keys import StoryKeys

    table = StoryKeys(tmp_path)
    table.add("中央社-1", ["0a1b2c3d4e5f60", "1111111111aaaa", "x" + "ab" * 8])
    table.add("聯合報-2", ["0a1b2c3d4e5f60", "22222222222222"])
    table.commit()
    assert table.sharing(["0a1b2c3d4e5f60", "1111111111aaaa"], None) == ["中央社-1", "聯合報-2"]
    assert table.sharing(["x" + "ab" * 8], 5) == ["中央社-1"]
    table.remove(["中央社-1"])
    table.rollback()  # not committed: still there
    assert table.sharing(["1111111111aaaa"], None) == ["中央社-1"]
    table.remove(["中央社-1"])
    table.commit()
    assert table.sharing(["0a1b2c3d4e5f60", "1111111111aaaa"], None) == ["聯合報-2"]
    table.close()
    assert StoryKeys(tmp_path).sharing(["22222222222222"], 1) == ["聯合報-2"]


@pytest.mark.parametrize("batch", ["1", "3", "5000"])
def test_an_ingest_groups_stories_the_same_whatever_its_commits(tmp_path, index_path, monkeypatch, batch):
    """Each commit hands its articles over to the index (the run forgets them): copies that arrive in later
    batches find their story there, and a bridge relabels stored articles, as in one big batch."""
    from newsgrep.engines import open_index
    from newsgrep.ingest import ingest_paths

    texts = {
        "01": (TITLE, TEXT), "02": (TITLE_SIMPLIFIED, TEXT_SIMPLIFIED), "03": (TITLE, TEXT_RECRAWL),
        "04": (WIRE_B_TITLE, WIRE_B), "05": (TITLE, WIRE_A), "06": (OTHER_TITLE, OTHER_TEXT),
        "07": (OTHER_TITLE, OTHER_TEXT.replace("規模6.2", "規模6.3")),
    }  # fmt: skip
    expected = group({i: sig(*t) for i, t in texts.items()}.items())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    order = list(texts)
    random.Random(int(batch)).shuffle(order)
    for n, i in enumerate(order):  # files are read in name order: n puts them in the shuffled order
        title, text = texts[i]
        (corpus / f"{n:02d}_{i}.json").write_text(
            f'{{"id": "{i}", "title": "{title}", "content": {json.dumps(text, ensure_ascii=False)}, "date": "2025-05-0{1 + n % 9}"}}',
            encoding="utf-8",
        )
    monkeypatch.setenv("NEWSGREP_BATCH", batch)

    ingest_paths([corpus], index_path, procs=1)

    rows = open_index(index_path).matching(None)
    text_of = {row.id: row.id.split("_", 1)[1].rsplit("-", 1)[0] for row in rows}  # "03_05-1" is text 05
    found = {text_of[row.id]: text_of[row.story] for row in rows}
    assert set(found) == set(texts)
    # The same partition into stories (a story's name is one of its members' ids, whichever came first).
    assert sorted(sorted(i for i in found if found[i] == s) for s in set(found.values())) == sorted(
        sorted(i for i in expected if expected[i] == s) for s in set(expected.values())
    )
