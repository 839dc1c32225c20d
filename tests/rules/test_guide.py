"""Guide elements read from what the guide says (rules/guide.py with the national rule file)."""
import json
from pathlib import Path

import pytest

from crawler.extract.article import extract_text
from rules import load_ruleset
from rules.guide import missing_elements, states_element

ELEMENTS = load_ruleset("national-2019").rule("guide_missing_element").params["elements"]
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "real"
# labels.json names elements as the regulation does.
_LABEL_KEYS = {"分类": "classification", "编排体系": "catalogue_system", "获取方式": "access_method",
               "工作机构名称": "agency_name", "办公地址": "address", "办公时间": "office_hours",
               "联系电话": "phone", "传真": "fax", "互联网联系方式": "online_contact"}

INDEX_NUMBER = ("（三）编排体系\n本机关信息编排体系主要包含索引号、信息名称、发布机构、成文日期、文号等内容。\n"
                "1.索引号：政府公开信息的唯一识别代码，由信息生成机构代码、信息类别、信息生成年度、年度信息流水号组成。")


@pytest.mark.parametrize("element, text, stated", [
    ("classification", INDEX_NUMBER, False),
    ("classification", "政府信息公开分为主动公开和依申请公开。", False),
    ("classification", "本机关主动公开的政府信息分为以下类别：机构职能、政策文件、规划计划、财政预决算。", True),
    ("classification", "（一）信息分类\n按照信息内容，分为机构职能、政策文件等十二类。", True),
    ("address", "申请人应当填写姓名、通信地址、联系电话等信息。", False),
    ("address", "通信地址：平潭综合实验区金井湾营运中心7号楼14层", True),
    ("address", "办公地址 人民路1号", True),            # label and value in two table cells
    ("phone", "申请人应当填写姓名、通信地址、联系电话等信息。", False),
    ("phone", "咨询电话：\n0591-23165385", True),      # value on the next line
    ("phone", "联系电话：（0311）1234567", True),
    ("fax", "传真：暂无", False),
    ("fax", "传　　真：0591-23165386", True),
    ("office_hours", "请在办公时间内提交申请。", False),
    ("office_hours", "咨询时间：周一至周五（法定节假日除外），上午8:00至12:00", True),
    ("online_contact", '<%@ page contentType="text/html;charset=UTF-8" language="java" %>', False),
    ("online_contact", "电子邮箱：pzxxgkb＠163.com(仅供答复使用)", True),
    ("online_contact", "1.在线申请\n申请人可登录县政府门户网站填写《政府信息公开申请表》。", True),
], ids=["index-number-sentence", "active-vs-on-request-only", "categories-listed", "heading-and-categories",
        "form-field-address", "address-field", "address-cell", "form-field-phone", "phone-next-line",
        "phone-area-code-brackets", "fax-none", "fax-spaced-label", "hours-word-only", "hours-given",
        "jsp-directive-at-sign", "fullwidth-at-email", "online-form"])
def test_element_stated_in_its_own_sentence(element, text, stated):
    assert states_element(text, ELEMENTS[element]) is stated


def test_index_number_guide_lacks_classification_only():
    guide = (INDEX_NUMBER + "\n获取方式：网站查阅。工作机构：县政府办公室。办公地址：人民路1号。办公时间：周一至周五。"
             "联系电话：0311-1234567。传真：0311-7654321。电子邮箱：zfb@example.gov.cn")
    assert missing_elements(guide, ELEMENTS) == ["classification"]


def test_real_guide_elements_match_the_labels():
    labels = json.loads((REAL / "labels.json").read_text(encoding="utf-8")) if REAL.is_dir() else []
    guides = [lab for lab in labels if lab["kind"] == "guide"]
    if not guides:
        pytest.skip("shared real corpus not present")
    for lab in guides:
        text = extract_text((REAL / lab["file"]).read_bytes(), "https://example.gov.cn/zn.htm")
        present = {_LABEL_KEYS[x] for x in lab["guide_elements_present"]}
        assert set(missing_elements(text, ELEMENTS)) == set(_LABEL_KEYS.values()) - present, lab["file"]
