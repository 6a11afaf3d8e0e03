from workshop.templatetags.workshop_tags import soft_hyphens

SHY = "\u00ad"


def test_long_sdg_words_get_soft_hyphens_in_three_languages():
    assert soft_hyphens("Industry, innovation and infrastructure") == (
        f"Industry, inno{SHY}va{SHY}tion and infra{SHY}struc{SHY}ture"
    )
    assert soft_hyphens("Kwaliteitsonderwijs") == f"Kwa{SHY}li{SHY}teits{SHY}on{SHY}der{SHY}wijs"
    assert soft_hyphens("Eau propre et assainissement").endswith(f"assai{SHY}nisse{SHY}ment")
    # Case is kept; short and unknown words are left alone.
    assert soft_hyphens("PARTNERSHIPS") == f"PART{SHY}NER{SHY}SHIPS"
    assert soft_hyphens("No poverty") == "No poverty"
    assert soft_hyphens(None) == ""
