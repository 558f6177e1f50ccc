"""Results a journalist can cite (issue 10): fields, local days, date order, counts and pages, punctuation."""

from __future__ import annotations

import json

import pytest

RECORDS = [
    # An article at 00:30 in Taipei: its day is 2025-11-19 there (2025-11-18 in UTC).
    {"url": "https://news.example.tw/a1", "title": "立法院三讀通過對台軍售特別預算", "published_date": "2025-11-19T00:30:00+08:00",
     "source_name": "中央社", "author": "王小明",
     "content": "立法院今天三讀通過國防特別預算，其中包括對美軍售案的經費。朝野立委在議場內激烈辯論。"},
    {"url": "https://news.example.tw/a2", "title": "柯文哲出席記者會", "published_date": "2025-11-18T23:50:00+08:00",
     "source_name": "聯合報", "author": "李大華",
     "content": "前台北市長柯文哲今天出席記者會，談到軍售議題時表示尊重國防部的專業。"},
    {"url": "https://news.example.tw/a3", "title": "颱風過後花蓮清理道路", "published_date": "2025-11-20",
     "source_name": "公視新聞網", "author": "陳美玲",
     "content": "颱風過後，花蓮縣政府動員清理道路。縣府表示，台灣東部的農損初估上億元。"},
    {"url": "https://news.example.tw/a4", "title": "法院拍賣公告", "source_name": "司法院",
     "content": "臺灣臺北地方法院民事執行處公告拍賣不動產，台灣各地民眾可上網查詢。"},
    {"url": "https://news.example.tw/a5", "title": "美国批准对台军售", "published_date": "2025-11-17T09:00:00+08:00",
     "source_name": "联合早报", "author": "张伟",
     "content": "美国国务院批准新一批对台军售，台湾国防部表示欢迎。柯文哲对此没有评论。"},
]


@pytest.fixture
def run(run, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8")
    assert run("ingest", str(folder)).exit_code == 0
    return run


def hits(run, *args: str) -> list[dict]:
    result = run("search", *args, "--json", "-n", "50")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def titles(run, *args: str) -> set[str]:
    return {h["title"] for h in hits(run, *args)}


def test_title_field_looks_in_titles_only_for_words_bigrams_and_phrases(run):
    assert titles(run, "title:軍售") == {"立法院三讀通過對台軍售特別預算", "美国批准对台军售"}
    assert titles(run, "title:军售") == titles(run, "title:軍售")
    assert titles(run, 'title:"對台軍售"') == {"立法院三讀通過對台軍售特別預算", "美国批准对台军售"}
    assert titles(run, "title:柯文哲") == {"柯文哲出席記者會"}
    assert titles(run, "柯文哲 -title:柯文哲") == {"美国批准对台军售"}
    assert titles(run, "body:記者會") == {"柯文哲出席記者會"}


def test_source_and_author_fields_and_options(run):
    assert titles(run, "source:中央社 軍售") == {"立法院三讀通過對台軍售特別預算"}
    assert titles(run, "軍售", "--source", "聯合") == {"柯文哲出席記者會", "美国批准对台军售"}  # 聯合報 and 联合早报
    assert titles(run, "author:王小明") == {"立法院三讀通過對台軍售特別預算"}
    assert titles(run, "台灣", "--author", "陳美玲") == {"颱風過後花蓮清理道路"}


def test_an_unknown_field_is_one_clear_line(run):
    result = run("search", "foo:軍售")
    assert result.exit_code == 2
    assert result.output.strip() == "newsgrep: unknown field foo: (fields: title:, body:, source:, author:)"


def test_days_are_the_articles_own_local_days(run):
    early = hits(run, "立法院", "--since", "2025-11-19", "--until", "2025-11-19")
    assert [h["title"] for h in early] == ["立法院三讀通過對台軍售特別預算"] and early[0]["day"] == "2025-11-19"
    assert titles(run, "軍售", "--until", "2025-11-18") == {"柯文哲出席記者會", "美国批准对台军售"}
    listed = run("list", "--since", "2025-11-19", "--until", "2025-11-19", "--json").stdout
    assert [json.loads(line)["title"] for line in listed.splitlines()] == ["立法院三讀通過對台軍售特別預算"]


def test_the_date_column_has_one_format(run):
    shown = run("search", "軍售", "--color", "never").stdout
    assert "2025-11-19  " in shown and "T00:30" not in shown and "+08:00" not in shown


def test_sort_by_date_puts_undated_articles_last(run):
    ordered = [h["title"] for h in hits(run, "台灣", "--sort", "date")]
    assert ordered[-1] == "法院拍賣公告"
    days = [h["day"] for h in hits(run, "台灣", "--sort", "date") if h["day"]]
    assert days == sorted(days, reverse=True)


@pytest.mark.parametrize("query", ["台灣，軍售", "台灣、軍售", "台灣；軍售", "台灣：軍售", "台灣,軍售", "台灣;軍售", "台灣/軍售"])
def test_punctuation_between_words_separates_them(run, query):
    assert titles(run, query) == titles(run, "台灣 軍售") != set()


def test_counts_and_pages(run):
    first = run("search", "台灣", "-n", "2", "--color", "always")  # a terminal: the count above the hits
    assert first.exit_code == 0 and "3 articles, showing 1–2" in first.output
    second = run("search", "台灣", "-n", "2", "--page", "2", "--json")
    assert len(second.stdout.splitlines()) == 1
    ids = [json.loads(line)["id"] for line in run("search", "台灣", "-n", "2", "--json").stdout.splitlines()]
    assert not set(ids) & {json.loads(line)["id"] for line in second.stdout.splitlines()}
    assert "articles" not in second.stdout  # never inside --json


def test_the_zero_hit_explanation_counts_within_the_filters(run):
    result = run("search", "颱風", "--since", "2025-12-01")
    assert result.exit_code == 1
    assert "颱風: 0 articles within the filters, 1 without" in result.output


def test_same_named_files_in_two_folders_are_two_articles_never_merged(run, tmp_path):
    root = tmp_path / "twnews"
    pages = {
        "6ab452b": ("血濺桃機 男子持刀攻擊旅客", "桃園機場今天發生持刀傷人事件，一名男子在出境大廳攻擊旅客，航警局當場將他壓制。"),
        "a99d613": ("平鎮輪胎行火警 消防急救援", "桃園市平鎮區一間輪胎行今天凌晨發生火警，消防局出動二十輛消防車搶救，所幸無人受傷。"),
    }
    for folder, (title, body) in pages.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "udn.html").write_text(
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>",
            encoding="utf-8",
        )
    result = run("ingest", str(root))
    assert "2 added" in result.output and "merged" not in result.output
    assert titles(run, "血濺桃機") == {"血濺桃機 男子持刀攻擊旅客"}
    ids = {h["id"] for h in hits(run, "桃園")}
    assert ids == {"6ab452b/udn", "a99d613/udn"}


STORY = "行政院今天召開院會，通過明年度中央政府總預算案，總額為三兆零一百億元，其中國防預算大幅成長。"
OTHER = "颱風過後，花蓮縣政府動員清理道路，縣府表示農損初估上億元，並請中央協助復建經費。"


def test_a_story_held_together_by_a_changed_article_is_regrouped(run, tmp_path, index_path):
    """Stories joined through an article (a bridge) fall apart into their real groups once that article changes."""
    from newsgrep.engines import open_index

    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "a.txt").write_text(f" date 2025-11-11 {STORY * 2}\n", encoding="utf-8")
    (folder / "a2.txt").write_text(f" date 2025-11-12 {STORY * 2}記者王小明報導。\n", encoding="utf-8")
    (folder / "c.txt").write_text(f" date 2025-11-13 {OTHER * 2}\n", encoding="utf-8")
    assert run("ingest", str(folder)).exit_code == 0
    hits = [json.loads(line) for line in run("search", "總預算 OR 復建經費", "--json").stdout.splitlines()]
    assert sorted(len(h["copies"]) for h in hits) == [0, 1]  # a and a2 are one story, c its own
    open_index(index_path).relabel_stories({"c": "a"})  # as if a later article had bridged them
    assert len(run("search", "總預算 OR 復建經費", "--json").stdout.splitlines()) == 1
    (folder / "a.txt").write_text(f" date 2025-11-11 {STORY * 2}（更新）\n", encoding="utf-8")
    assert run("ingest", str(folder)).exit_code == 0
    hits = [json.loads(line) for line in run("search", "總預算 OR 復建經費", "--json").stdout.splitlines()]
    assert sorted(len(h["copies"]) for h in hits) == [0, 1]


def test_an_index_grouped_by_another_recipe_is_rebuilt_before_ingesting(run, tmp_path, index_path):
    meta = json.loads((index_path / "newsgrep.json").read_text())
    meta["stories"] = "oph-minhash/v0"
    (index_path / "newsgrep.json").write_text(json.dumps(meta))
    refused = run("ingest", str(tmp_path / "news"))
    assert refused.exit_code == 2 and "another recipe" in refused.output and "--rebuild" in refused.output
    assert run("search", "軍售").exit_code == 0  # reading does not depend on the recipe
    assert run("ingest", "--rebuild", str(tmp_path / "news")).exit_code == 0


def test_a_story_is_shown_by_its_earliest_copy_with_the_others_listed(run, tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    text = "中央社記者今天報導，交通部宣布春節連假期間國道將實施高乘載管制，並開放路肩供小型車行駛，呼籲民眾提早規劃行程。"
    for n, (day, outlet) in enumerate([("2025-11-21", "聯合報"), ("2025-11-20", "中央社"), ("2025-11-22", "自由時報")]):
        record = {"url": f"https://wire.example.tw/{n}", "title": "春節國道高乘載管制", "published_date": day,
                  "source_name": outlet, "content": text}
        (folder / f"{n}.json").write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    assert run("ingest", str(folder)).exit_code == 0
    shown = hits(run, "高乘載")
    assert len(shown) == 1 and shown[0]["outlet"] == "中央社" and shown[0]["day"] == "2025-11-20"
    assert sorted(c["outlet"] for c in shown[0]["copies"]) == ["聯合報", "自由時報"]
    assert len(hits(run, "高乘載", "--all")) == 3
