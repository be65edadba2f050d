"""Words that say nothing about what a customer wants: function words and greetings.

Customers write sentences ("the money has not reached my account yet"), agents search with them. Matching such a
query word by word lets "not", "my" and "hello" pick the articles — every article has them. A query keeps these words
only when it has nothing else (someone searching for "the" gets what they asked for). The particles of phrasal
verbs ("set up", "log out", "switch off") are not in the lists: they change what the verb means.

The lists hold *folded* words (see ``normalise.fold``: lower case, ä→ae, ß→ss), compared before stemming. A word
is dropped in a query without a language filter when either language lists it; with a filter, only that language's
list counts.
"""

from __future__ import annotations

ENGLISH = frozenset("""
a about above after again against all am an and any are aren as at be because been before being below between both
but by can cannot could couldn d did didn do does doesn doing don during each few for from further had hadn has
hasn have haven having he her here hers herself him himself his how i if in into is isn it its itself just ll m me
more most my myself no nor not now of on once only or other our ours ourselves own re s same shan she
should shouldn so some such t than that the their theirs them themselves then there these they this those through
to too under until very ve was wasn we were weren what when where which while who whom why will with won would
wouldn you your yours yourself yourselves yet still already also since ago
hello hi hey dear please thanks thank regards kind best sincerely faithfully sir madam cheers
""".split())

GERMAN = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm andern anders
auch auf aus bei bin bis bist da damit dann das dass dein deine deinem deinen deiner deines dem den denn der derer
des dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures fuer gegen
gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in
indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner
keines koennen koennte machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich
mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst
sich sie sind so solche solchem solchen solcher solches soll sollte sondern sonst ueber um und uns unser unsere
unserem unseren unserer unseres unter viel vom von vor waehrend war waren warst was weg weil weiter welche welchem
welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte wuerde wuerden zu zum zur
zwar zwischen bereits schon seit immer mal leider
hallo liebe lieber sehr geehrte geehrter damen herren bitte danke dank vielen viele gruss gruesse freundliche
freundlichen beste besten gruessen guten tag abend
""".split())

_BY_LANGUAGE = {"en": ENGLISH, "de": GERMAN}
_EITHER = ENGLISH | GERMAN


def is_stop_word(folded: str, language: str | None = None) -> bool:
    """Whether the folded word is a function word or greeting in ``language`` (None: in German or English)."""
    return folded in _BY_LANGUAGE.get(language or "", _EITHER)
