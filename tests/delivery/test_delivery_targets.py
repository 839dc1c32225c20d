"""The notify: list — validation, stable keys, and descriptions without secrets."""
import pytest
import yaml

from delivery import EmailTarget, OneBotTarget, TargetConfigError, parse_targets

CONFIG = """
notify:
  - type: wecom
    webhook: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY-abcdef-123456
  - type: onebot
    url: http://127.0.0.1:3000
    group_id: 123456789
    token: TOKEN-abcdef
  - type: dingtalk
    webhook: https://oapi.dingtalk.com/robot/send?access_token=ACCESS-abcdef
    secret: SECabcdef123
  - type: email
    smtp: smtp.example.gov.cn:465
    username: notice@example.gov.cn
    password: PASSWORD-abcdef
    from: notice@example.gov.cn
    to: [a@b.cn]
"""
SECRETS = ["KEY-abcdef-123456", "TOKEN-abcdef", "ACCESS-abcdef", "SECabcdef123", "PASSWORD-abcdef"]


def test_the_documented_example_parses():
    targets = parse_targets(yaml.safe_load(CONFIG)["notify"])
    assert [t.type for t in targets] == ["wecom", "onebot", "dingtalk", "email"]
    assert isinstance(targets[1], OneBotTarget) and targets[1].group_id == 123456789
    email = targets[3]
    assert isinstance(email, EmailTarget) and (email.host, email.port, email.mode) == ("smtp.example.gov.cn", 465, "ssl")


def test_keys_are_stable_and_descriptions_hide_secrets():
    first = parse_targets(yaml.safe_load(CONFIG)["notify"])
    again = parse_targets(yaml.safe_load(CONFIG)["notify"])
    assert [t.key for t in first] == [t.key for t in again]
    assert first[0].key.startswith("wecom#") and first[1].key == "onebot#123456789"
    shown = " ".join(t.key + t.redacted() + repr(t) + str(t) for t in first)
    for secret in SECRETS:
        assert secret not in shown
    assert "key=***" in first[0].redacted()


def test_a_different_webhook_is_a_different_target():
    a, b = parse_targets([{"type": "wecom", "webhook": "https://q.cn/send?key=one-key"},
                          {"type": "wecom", "webhook": "https://q.cn/send?key=two-key"}])
    assert a.key != b.key


@pytest.mark.parametrize("raw, expected", [
    ([{"type": "wechat"}], "notify[0]: unknown type 'wechat'"),
    ([{"webhook": "https://x.cn"}], "notify[0]: missing 'type'"),
    ([{"type": "wecom"}], "notify[0] (wecom): webhook: Field required"),
    ([{"type": "wecom", "webhook": "https://q.cn/send?key=k1", "mentions": []}],
     "notify[0] (wecom): mentions: unknown key"),
    ([{"type": "onebot", "url": "http://127.0.0.1:3000", "group_id": "群"}], "notify[0] (onebot): group_id:"),
    ([{"type": "email", "smtp": "smtp.x.cn:465", "from": "a@b.cn", "to": ["not-an-address"]}],
     "notify[0] (email): to: 'not-an-address' is not an e-mail address"),
    ([{"type": "email", "smtp": "smtp.x.cn:465", "from": "a@b.cn", "to": ["c@d.cn"], "username": "u"}],
     "username and password go together"),
    ([{"type": "email", "smtp": "smtp.x.cn:ssl", "from": "a@b.cn", "to": ["c@d.cn"]}],
     "notify[0] (email): smtp: must be host or host:port"),
], ids=["unknown-type", "no-type", "missing-webhook", "misspelt-key", "group-not-number",
        "bad-address", "login-half", "bad-port"])
def test_errors_name_the_target_and_key(raw, expected):
    with pytest.raises(TargetConfigError) as err:
        parse_targets(raw)
    assert expected in str(err.value)
    assert isinstance(err.value, ValueError)


def test_errors_about_a_webhook_never_quote_it():
    with pytest.raises(TargetConfigError) as err:
        parse_targets([{"type": "wecom", "webhook": "ftp://q.cn/send?key=KEY-abcdef-123456"},
                       {"type": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send?token=ACCESS-abcdef"}])
    message = str(err.value)
    assert "notify[0] (wecom): webhook" in message and "notify[1] (dingtalk): webhook" in message
    assert "?access_token=" in message
    assert "KEY-abcdef" not in message and "ACCESS-abcdef" not in message


def test_every_problem_is_reported_at_once_and_duplicates_are_refused():
    wecom = {"type": "wecom", "webhook": "https://q.cn/send?key=k1"}
    with pytest.raises(TargetConfigError) as err:
        parse_targets([wecom, {"type": "wechat"}, dict(wecom)])
    lines = str(err.value).splitlines()
    assert lines[0].startswith("notify[1]:")
    assert lines[1] == "notify[2] (wecom): the same target as notify[0] (it would get every notice twice)"


def test_email_security_defaults_to_encrypted():
    def mode(smtp, **kw):
        return parse_targets([{"type": "email", "smtp": smtp, "from": "a@b.cn", "to": ["c@d.cn"], **kw}])[0].mode
    assert mode("smtp.x.cn:465") == "ssl"
    assert mode("smtp.x.cn:587") == "starttls"
    assert mode("smtp.x.cn:25") == "starttls"
    assert mode("relay.x.cn:25", security="none") == "none"


def test_an_empty_or_missing_list_means_no_targets():
    assert parse_targets(None) == [] and parse_targets([]) == []
    with pytest.raises(TargetConfigError, match="expected a list"):
        parse_targets({"type": "wecom"})


def test_every_key_is_documented():
    from delivery import describe_targets
    from config.targets import TARGET_TYPES
    for model in TARGET_TYPES.values():
        assert model.__doc__
        for name, info in model.model_fields.items():
            if name == "type":          # the heading of each section
                continue
            assert info.description, f"{model.__name__}.{name} has no description"
    text = describe_targets()
    assert "type: wecom" in text and "    webhook: the robot's webhook address" in text
    assert "    from: the sender address (required)" in text


def test_plain_http_to_another_machine_is_refused_unless_allowed():
    wecom = {"type": "wecom", "webhook": "http://qyapi.example.cn/cgi-bin/webhook/send?key=KEY-in-clear"}
    with pytest.raises(TargetConfigError, match="allow_http") as refused:
        parse_targets([wecom])
    assert "KEY-in-clear" not in str(refused.value)
    assert parse_targets([{**wecom, "allow_http": True}])[0].allow_http
    # A OneBot endpoint on this machine (the usual NapCat set-up) never leaves it: fine over http.
    assert parse_targets([{"type": "onebot", "url": "http://127.0.0.1:3000", "group_id": 1}])
    with pytest.raises(TargetConfigError, match="allow_http"):
        parse_targets([{"type": "onebot", "url": "http://10.1.2.3:3000", "group_id": 1}])
    with pytest.raises(TargetConfigError, match="allow_http"):
        parse_targets([{"type": "dingtalk", "webhook": "http://oapi.example.cn/robot/send?access_token=T"}])
