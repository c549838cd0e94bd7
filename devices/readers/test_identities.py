"""Built-in test identities for the simulated reader. Invented people with valid GB 11643 check digits.

The permanent-residence number (3 letters, 4-digit office, YYMMDD, 2 digits) embeds the birth date as a
real card's does, and its issuing authority is the 4-digit office code the chip holds.
"""

from __future__ import annotations

from datetime import date

from kiosk.core.identity import LONG_TERM, CardType, Identity, Sex

TEST_IDENTITIES: dict[str, Identity] = {
    "resident-zhang": Identity(
        card_type=CardType.RESIDENT, name="张桂兰", id_number="220102195603120020", sex=Sex.FEMALE,
        birth_date=date(1956, 3, 12), nation_code="01", nation="汉",
        address="吉林省长春市南关区人民大街1234号", issuing_authority="长春市公安局南关分局",
        valid_from=date(2016, 5, 1), valid_until=LONG_TERM),
    "resident-rare-char": Identity(
        card_type=CardType.RESIDENT, name="金䶮", id_number="222401198007152136", sex=Sex.MALE,
        birth_date=date(1980, 7, 15), nation_code="10", nation="朝鲜",
        address="吉林省延吉市河南街道光明社区5号", issuing_authority="延吉市公安局",
        valid_from=date(2015, 8, 1), valid_until=date(2035, 8, 1)),
    "hmt-chen": Identity(
        card_type=CardType.HMT_RESIDENCE, name="陈家明", id_number="810000199001010035", sex=Sex.MALE,
        birth_date=date(1990, 1, 1), address="吉林省长春市朝阳区西安大路88号",
        issuing_authority="长春市公安局", valid_from=date(2022, 3, 1), valid_until=date(2027, 3, 1),
        pass_number="H12345678", issue_count="01"),
    "foreign-smith": Identity(
        card_type=CardType.FOREIGN_PERMANENT, name="史密斯", english_name="SMITH, JOHN",
        id_number="USA220175040215", sex=Sex.MALE, birth_date=date(1975, 4, 2), nationality="USA",
        issuing_authority="2201", valid_from=date(2019, 6, 1), valid_until=date(2029, 6, 1)),
    "resident-expired": Identity(
        card_type=CardType.RESIDENT, name="李梅", id_number="220102197001010042", sex=Sex.FEMALE,
        birth_date=date(1970, 1, 1), nation_code="01", nation="汉", address="吉林省长春市南关区自由大路1号",
        issuing_authority="长春市公安局南关分局", valid_from=date(2006, 1, 1), valid_until=date(2026, 1, 1)),
    "social-security-wang": Identity(
        card_type=CardType.SOCIAL_SECURITY, name="王淑珍", id_number="220104196208190026", sex=Sex.FEMALE,
        birth_date=date(1962, 8, 19), nation_code="01", nation="汉"),
}
