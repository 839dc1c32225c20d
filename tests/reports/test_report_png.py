import io
import shutil
import subprocess

import pytest

PIL = pytest.importorskip("PIL", reason="the png format needs Pillow (pip install -e .)")
from PIL import Image, ImageFont  # noqa: E402

from reports import MissingFontError, build_period, render, render_bytes  # noqa: E402
from reports.renderers import png  # noqa: E402
from report_exports import (INVISIBLE, export, finding, has_cjk_font, hostile_export, load,  # noqa: E402
                            require, unit)


@pytest.fixture(scope="module")
def font_choice():
    require(has_cjk_font(), "a Chinese font (Debian's fonts-noto-cjk)")
    return png.find_cjk_font()


def picture(data, period="week", **options) -> Image.Image:
    image = Image.open(io.BytesIO(render_bytes(build_period(data, period), "png", **options)))
    image.load()
    return image


def same_units(count: int) -> dict:
    """Units whose rows are all the same height, so picture heights can be compared."""
    return export(*[unit(f"清河县第{n:02d}局", finding()) for n in range(count)])


def ink(image: Image.Image, box=None) -> int:
    """Dark pixels: text and rules, not the white page or the pale row stripes."""
    region = image.convert("L").crop(box) if box else image.convert("L")
    return sum(region.histogram()[:128])


def test_a_phone_sized_png_that_is_not_blank(font_choice):
    image = picture(load("export_two_units.json"))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.width == png.WIDTH == 1080
    assert 400 < image.height < 1200
    colors = image.getcolors(maxcolors=1 << 16)        # None: more than that many
    assert colors is None or len(colors) > 20          # anti-aliased text, not flat fills
    # the title band and the table both carry ink
    assert ink(image, (0, 0, 1080, 140)) > 2000
    assert ink(image, (0, 260, 1080, image.height)) > 2000


def test_text_is_at_least_28_pixels(font_choice):
    assert min(png.TITLE_PX, png.TEXT_PX, png.SMALL_PX) >= 28
    small = ImageFont.truetype(font_choice.regular, png.SMALL_PX, index=font_choice.index)
    left, top, right, bottom = small.getbbox("县")
    assert bottom - top >= 22 and right - left >= 22       # a 汉字 nearly fills its em square


def test_the_font_really_draws_chinese(font_choice):
    font = ImageFont.truetype(font_choice.regular, png.TEXT_PX, index=font_choice.index)
    assert png.draws_chinese(font)
    assert font.getmask("县").getbbox()


def test_the_font_check_rejects_a_latin_font():
    latin = ImageFont.load_default(size=png.TEXT_PX)      # Pillow's own font: no 汉字
    if not isinstance(latin, ImageFont.FreeTypeFont):
        pytest.skip("this Pillow has no FreeType default font")
    assert latin.getmask("县").getbbox()                   # draws *something* (a box) …
    assert not png.draws_chinese(latin)                     # … which the check sees through


def test_no_cjk_font_is_a_clear_error_and_nothing_is_written(monkeypatch, tmp_path):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font")
    monkeypatch.setenv(png.FONT_ENV, str(not_a_font))
    with pytest.raises(MissingFontError, match=r"apt-get install fonts-noto-cjk.*GOVFRESH_CJK_FONT"):
        render(build_period(load("export_two_units.json"), "week"), ["html", "png"], tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_long_tables_stop_at_max_rows(font_choice):
    five = picture(same_units(5), max_rows=5)
    thirty = picture(same_units(30), max_rows=5)
    assert thirty.height == five.height + int(png.SMALL_PX * png.LINE)   # only the "……另有" line
    assert picture(same_units(30)).height > thirty.height               # default: 20 rows


def test_veto_counts_are_red(font_choice):
    image = picture(export(unit("甲局", finding(severity="deduction")), unit("乙局", finding(), finding())))
    red = [(x, y) for x in range(0, 1080, 2) for y in range(0, image.height, 2)
           if image.getpixel((x, y))[0] > 150 and image.getpixel((x, y))[1] < 90]
    assert red, "veto counts are drawn in red"
    no_veto = picture(export(unit("甲局", finding(severity="deduction"))))
    assert not [(x, y) for x in range(0, 1080, 2) for y in range(0, no_veto.height, 2)
                if no_veto.getpixel((x, y))[0] > 150 and no_veto.getpixel((x, y))[1] < 90]


def test_hostile_and_huge_text_still_renders(font_choice):
    data = hostile_export()
    data["units"].append(unit("县" * 300 + INVISIBLE, finding(message="x" * 300)))
    image = picture(data)
    assert image.width == 1080 and image.height < 2000


def test_wrap_cuts_between_characters_and_marks_what_was_left_out(font_choice):
    font = ImageFont.truetype(font_choice.regular, png.TEXT_PX, index=font_choice.index)
    lines = png.wrap("栏目更新不及时、空白栏目、公开指南要素缺失、网站无法访问", font, 300, 2)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(font.getlength(line) <= 300 for line in lines)


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract not installed (optional OCR check)")
def test_ocr_reads_the_title(font_choice, tmp_path):
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    if "chi_sim" not in langs:
        pytest.skip("tesseract has no chi_sim data (Debian: tesseract-ocr-chi-sim)")
    path = tmp_path / "table.png"
    path.write_bytes(render_bytes(build_period(load("export_two_units.json"), "week"), "png"))
    text = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim"],
                          capture_output=True, text=True, timeout=120).stdout.replace(" ", "")
    assert "清河县" in text and "教育局" in text
