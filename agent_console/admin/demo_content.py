"""Hand-written texts the demo data is built from: case topics with threads, canned responses and KB articles.

Placeholders in ``{braces}`` are filled by the seeder (order numbers, products, amounts, dates, names); canned
response bodies use Jinja placeholders (``{{ customer.first_name }}``) that the console fills when an agent uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True)
class Product:
    """A product customers write about; ``kinds`` say which requests make sense for it (a router is not noisy,
    headphones show no error codes, a mobile plan is never shipped)."""

    key: str
    de: str
    #: German grammatical gender of the name's head noun (m, f, n): "der Drucker", "die Waschmaschine", "das Tablet".
    gender: str
    en: str
    #: A short tag for KB articles.
    tag: str
    kinds: frozenset[str]


PRODUCT_CATALOGUE: list[Product] = [
    Product("coffee", "Kaffeevollautomat Barista 500", "m", "Barista 500 coffee machine", "coffee-machine",
            frozenset({"mains", "display", "wifi", "noisy"})),
    Product("router", "WLAN-Router NetBox 7", "m", "NetBox 7 Wi-Fi router", "router", frozenset({"mains", "network"})),
    Product("vacuum", "Saugroboter CleanBot S2", "m", "CleanBot S2 robot vacuum", "robot-vacuum",
            frozenset({"battery", "display", "wifi", "noisy"})),
    Product("watch", "Smartwatch Pulse 3", "f", "Pulse 3 smartwatch", "smartwatch",
            frozenset({"battery", "display", "bluetooth"})),
    Product("washer", "Waschmaschine AquaPro 8", "f", "AquaPro 8 washing machine", "washing-machine",
            frozenset({"mains", "display", "wifi", "noisy"})),
    Product("headphones", "Bluetooth-Kopfhörer Silence X", "m", "Silence X Bluetooth headset", "headset",
            frozenset({"battery", "bluetooth"})),
    Product("ebike", "E-Bike Urban 28", "n", "Urban 28 e-bike", "e-bike", frozenset({"battery", "display"})),
    Product("tablet", "Tablet Tab 10 Pro", "n", "Tab 10 Pro tablet", "tablet",
            frozenset({"battery", "display", "wifi", "bluetooth"})),
    Product("printer", "Laserdrucker PrintStar M40", "m", "PrintStar M40 laser printer", "printer",
            frozenset({"mains", "display", "wifi", "noisy"})),
]
PRODUCT_BY_KEY = {p.key: p for p in PRODUCT_CATALOGUE}
PRODUCTS = {"de": [p.de for p in PRODUCT_CATALOGUE], "en": [p.en for p in PRODUCT_CATALOGUE]}
ALL_PRODUCTS = tuple(p.key for p in PRODUCT_CATALOGUE)


def products_with(kind: str) -> tuple[str, ...]:
    return tuple(p.key for p in PRODUCT_CATALOGUE if kind in p.kinds)


#: German article, possessive and pronoun forms by gender, for sentences around a product name.
_GERMAN_FORMS = {
    "m": {"der": "der", "den": "den", "dem": "dem", "mein": "mein", "meinen": "meinen", "ihn": "ihn", "er": "er"},
    "f": {"der": "die", "den": "die", "dem": "der", "mein": "meine", "meinen": "meine", "ihn": "sie", "er": "sie"},
    "n": {"der": "das", "den": "das", "dem": "dem", "mein": "mein", "meinen": "mein", "ihn": "es", "er": "es"},
}


def product_fill(product: Product, language: str) -> dict[str, str]:
    """Placeholders for one product: ``{product}`` (the name) and, in German, ``{der_product}``, ``{den_product}``,
    ``{dem_product}``, ``{mein_product}``, ``{meinen_product}``, ``{ihn}``, ``{er}`` (capitalised variants
    ``{Der_product}``, ``{Mein_product}``, ``{Er}`` start a sentence)."""
    if language != "de":
        return {"product": product.en}
    forms = _GERMAN_FORMS[product.gender]
    fill = {"product": product.de, "ihn": forms["ihn"], "er": forms["er"], "Er": forms["er"].capitalize()}
    for case in ("der", "den", "dem", "mein", "meinen"):
        fill[f"{case}_product"] = f"{forms[case]} {product.de}"
        fill[f"{case.capitalize()}_product"] = f"{forms[case].capitalize()} {product.de}"
    return fill


PLANS = {"de": ["Mobilfunkvertrag Flex M", "DSL-Tarif Home 100", "Streaming-Abo Plus", "Mobilfunkvertrag Max L"],
         "en": ["Flex M mobile plan", "Home 100 broadband plan", "Streaming Plus subscription", "Max L mobile plan"]}

CARRIERS = ["DHL", "DPD", "Hermes", "UPS", "GLS"]


@dataclass(frozen=True)
class Topic:
    """One kind of request. Every subject, opener, reply and follow-up of a topic fits every other one, so any
    combination the seeder draws reads as one conversation."""

    key: str
    queue: str
    tags: tuple[str, ...]
    #: language -> subject templates
    subjects: dict[str, list[str]]
    #: language -> the customer's first message
    openers: dict[str, list[str]]
    #: language -> the agent's answer
    replies: dict[str, list[str]]
    #: language -> the customer writing again
    followups: dict[str, list[str]] = field(default_factory=dict)
    #: language -> internal notes
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: how often the topic comes up, relative
    weight: int = 10
    #: products the request makes sense for (keys of PRODUCT_CATALOGUE); () when no product is mentioned
    products: tuple[str, ...] = ()
    #: language -> the agent asking the customer for something (the case then waits, pending); default per queue
    pending: dict[str, list[str]] = field(default_factory=dict)


TOPICS: list[Topic] = [
    # --- Billing ---------------------------------------------------------------------------------------------------
    Topic(
        "invoice-amount", "Billing", ("invoice", "billing"),
        {"de": ["Frage zur Rechnung {invoice}", "Rechnung {invoice} nicht nachvollziehbar"],
         "en": ["Question about invoice {invoice}", "Invoice {invoice} does not add up"]},
        {"de": ["Guten Tag,\n\nauf meiner Rechnung {invoice} wird ein Betrag von {amount} berechnet, ich hatte aber "
                "mit weniger gerechnet. Können Sie mir die Positionen erklären?\n\nViele Grüße\n{customer}",
                "Hallo,\n\nich verstehe meine Rechnung {invoice} nicht: Warum stehen dort {amount}? Im Warenkorb "
                "war der Preis niedriger.\n\nGruß\n{customer}"],
         "en": ["Hello,\n\nmy invoice {invoice} charges {amount}, which is more than I expected. Could you explain "
                "the line items?\n\nThanks,\n{customer}",
                "Hi,\n\nI don't understand invoice {invoice}: why {amount}? The price in the basket was lower.\n\n"
                "Regards,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nvielen Dank für Ihre Nachricht. Der Betrag auf der Rechnung {invoice} "
                "setzt sich aus dem Artikelpreis und den Versandkosten zusammen; die Aufstellung habe ich Ihnen als "
                "PDF angehängt.\n\nFreundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for getting in touch. The amount on invoice {invoice} is the item price "
                "plus shipping; I have attached the breakdown as a PDF.\n\nBest regards,\n{agent}"]},
        {"de": ["Danke, aber die Versandkosten waren doch laut Aktion kostenlos?"],
         "en": ["Thanks, but shipping was supposed to be free under the promotion?"]},
        {"de": ["Rechnung geprüft: Die Versandkostenaktion greift erst ab 50 € Bestellwert."],
         "en": ["Checked the invoice: the free-shipping promotion starts at an order value of 50 EUR."]},
        weight=6,
    ),
    Topic(
        "invoice-copy", "Billing", ("invoice", "billing"),
        {"de": ["Rechnungskopie für Bestellung {order} benötigt", "Rechnung zu Bestellung {order} fehlt"],
         "en": ["Need a copy of the invoice for order {order}", "Invoice for order {order} missing"]},
        {"de": ["Hallo,\n\nich brauche für meine Steuererklärung eine Kopie der Rechnung zu Bestellung {order}. "
                "Im Kundenkonto finde ich sie leider nicht.\n\nDanke und Gruß\n{customer}"],
         "en": ["Hi,\n\nI need a copy of the invoice for order {order} for my accounts. I can't find it in my "
                "account.\n\nBest regards,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nalle Rechnungen finden Sie im Kundenkonto unter „Meine Rechnungen“. Die "
                "Rechnung {invoice} zu Bestellung {order} habe ich Ihnen zusätzlich an {email} geschickt.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nyou can download every invoice in your account under \"My invoices\". I have "
                "also sent invoice {invoice} for order {order} to {email}.\n\nKind regards,\n{agent}"]},
        {"de": ["Die E-Mail mit der Rechnung ist nicht angekommen."],
         "en": ["The e-mail with the invoice hasn't arrived."]},
        {}, weight=5,
    ),
    Topic(
        "invoice-address", "Billing", ("invoice", "billing"),
        {"de": ["Falsche Adresse auf Rechnung {invoice}", "Rechnung {invoice} bitte neu ausstellen"],
         "en": ["Wrong address on invoice {invoice}", "Please reissue invoice {invoice}"]},
        {"de": ["Sehr geehrte Damen und Herren,\n\nauf der Rechnung {invoice} steht noch meine alte Adresse. "
                "Bitte stellen Sie die Rechnung auf {address} neu aus.\n\nMit freundlichen Grüßen\n{customer}"],
         "en": ["Dear team,\n\ninvoice {invoice} still shows my old address. Please reissue it to {address}.\n\n"
                "Kind regards,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\ndie korrigierte Rechnung {invoice} mit der Adresse {address} finden Sie ab "
                "sofort in Ihrem Kundenkonto unter „Meine Rechnungen“.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthe corrected invoice {invoice} with the address {address} is now in your "
                "account under \"My invoices\".\n\nKind regards,\n{agent}"]},
        {"de": ["Die neue Rechnung zeigt immer noch die alte Adresse."],
         "en": ["The new invoice still shows the old address."]},
        {}, weight=3,
    ),
    Topic(
        "refund", "Billing", ("refund", "billing"),
        {"de": ["Erstattung für Bestellung {order}", "Wann kommt meine Rückerstattung?",
                "Geld für Retoure {order} noch nicht erhalten"],
         "en": ["Refund for order {order}", "When will I get my refund?", "Return {order}: no refund yet"]},
        {"de": ["Hallo,\n\nich habe {den_product} vor zwei Wochen zurückgeschickt (Bestellung {order}), das Geld "
                "ist aber noch nicht auf meinem Konto.\n\nGruß\n{customer}",
                "Guten Tag,\n\nmeine Retoure zu Bestellung {order} ist laut Sendungsverfolgung seit dem {date} bei "
                "Ihnen. Wann bekomme ich die {amount} zurück?\n\nDanke\n{customer}"],
         "en": ["Hello,\n\nI sent the {product} back two weeks ago (order {order}) but the money has not reached "
                "my account yet.\n\nRegards,\n{customer}",
                "Hi,\n\naccording to the tracking, my return for order {order} reached you on {date}. When will I "
                "get the {amount} back?\n\nThanks,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nIhre Retoure ist bei uns eingegangen. Die Erstattung über {amount} habe "
                "ich soeben angewiesen; je nach Bank dauert die Gutschrift 3–5 Werktage.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nyour return has arrived. I have just issued the refund of {amount}; depending "
                "on your bank it takes 3–5 working days to show.\n\nBest regards,\n{agent}"]},
        {"de": ["Die Gutschrift ist immer noch nicht da. Können Sie das bitte prüfen?"],
         "en": ["The refund still hasn't arrived. Could you please check?"]},
        {"de": ["Erstattung in der Buchhaltung angestoßen, Referenz RF-{ref}."],
         "en": ["Refund triggered in accounting, reference RF-{ref}."]},
        weight=12, products=ALL_PRODUCTS,
    ),
    Topic(
        "double-charge", "Billing", ("payment", "billing"),
        {"de": ["Doppelte Abbuchung von {amount}", "Kreditkarte zweimal belastet"],
         "en": ["Charged twice: {amount}", "Credit card charged twice"]},
        {"de": ["Hallo,\n\nmir wurden für Bestellung {order} zweimal {amount} abgebucht. Bitte korrigieren Sie "
                "das umgehend.\n\n{customer}"],
         "en": ["Hello,\n\nI was charged {amount} twice for order {order}. Please fix this right away.\n\n"
                "{customer}"]},
        {"de": ["Hallo {first_name},\n\nSie haben recht, die zweite Abbuchung war ein Fehler unseres "
                "Zahlungsdienstleisters. Sie wird storniert und ist in wenigen Tagen wieder auf Ihrem Konto.\n\n"
                "Entschuldigen Sie die Unannehmlichkeiten.\n{agent}"],
         "en": ["Hi {first_name},\n\nyou are right, the second charge was an error at our payment provider. It has "
                "been voided and will be back on your account within a few days.\n\nSorry for the trouble,\n"
                "{agent}"]},
        {"de": ["Auf meinem Konto sind immer noch beide Buchungen."],
         "en": ["My statement still shows both charges."]},
        {"de": ["Doppelbuchung beim Zahlungsanbieter bestätigt."],
         "en": ["Payment provider confirmed the duplicate capture."]},
        weight=5,
    ),
    # --- Delivery --------------------------------------------------------------------------------------------------
    Topic(
        "delivery-status", "Delivery", ("delivery", "tracking"),
        {"de": ["Wo ist meine Bestellung {order}?", "Lieferstatus Bestellung {order}"],
         "en": ["Where is my order {order}?", "Delivery status of order {order}"]},
        {"de": ["Hallo,\n\nich habe am {date} {den_product} bestellt (Bestellung {order}). Laut "
                "Sendungsverfolgung liegt das Paket seit Tagen bei {carrier}. Wann kommt es an?\n\n{customer}",
                "Hi, wann wird meine Bestellung {order} geliefert? Ich bin nächste Woche im Urlaub."],
         "en": ["Hello,\n\nI ordered the {product} on {date} (order {order}). Tracking says the parcel has been "
                "with {carrier} for days. When will it arrive?\n\n{customer}",
                "Hi, when will order {order} be delivered? I'm away on holiday next week."]},
        {"de": ["Hallo {first_name},\n\nIhr Paket ist im Verteilzentrum von {carrier} und wird voraussichtlich "
                "am {later} zugestellt. Die Sendungsnummer lautet {tracking}.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nyour parcel is at the {carrier} depot and should be delivered on {later}. The "
                "tracking number is {tracking}.\n\nBest regards,\n{agent}"]},
        {"de": ["Das Paket ist heute wieder nicht gekommen."], "en": ["The parcel didn't come today either."]},
        {"de": ["Bei {carrier} Nachforschungsauftrag gestellt."], "en": ["Opened a trace request with {carrier}."]},
        weight=16, products=ALL_PRODUCTS,
    ),
    Topic(
        "late-delivery", "Delivery", ("delivery", "delay"),
        {"de": ["Lieferung seit einer Woche überfällig", "Liefertermin {date} nicht eingehalten"],
         "en": ["Delivery a week overdue", "Delivery date {date} missed"]},
        {"de": ["Guten Tag,\n\nmir wurde die Lieferung für den {date} zugesagt, bis heute ist nichts gekommen "
                "(Bestellung {order}). Ich erwarte eine Lösung.\n\n{customer}"],
         "en": ["Hello,\n\nyou promised delivery by {date} and nothing has arrived (order {order}). I expect a "
                "solution.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nes tut mir leid, dass sich die Lieferung verzögert. {Der_product} war "
                "kurzfristig nicht lieferbar; {er} wird am {later} versendet. Als Entschuldigung erstatten wir Ihnen "
                "die Versandkosten.\n\nFreundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nI'm sorry about the delay. The {product} was briefly out of stock; it ships on "
                "{later}. As an apology we are refunding the shipping cost.\n\nKind regards,\n{agent}"]},
        {"de": ["Das ist schon die zweite Verschiebung!"], "en": ["That's the second time it has been moved!"]},
        {"de": ["Lieferverzögerung: Versandkosten als Kulanz erstattet."],
         "en": ["Delay: shipping cost refunded as goodwill."]},
        weight=8, products=ALL_PRODUCTS,
    ),
    Topic(
        "damaged-parcel", "Delivery", ("delivery", "damage"),
        {"de": ["Paket beschädigt angekommen", "{product} mit Transportschaden"],
         "en": ["Parcel arrived damaged", "{product} damaged in transit"]},
        {"de": ["Hallo,\n\nder Karton war eingedrückt und {der_product} ist zerkratzt und hat eine Delle. Fotos "
                "habe ich angehängt (Bestellung {order}).\n\n{customer}"],
         "en": ["Hello,\n\nthe box was crushed and the {product} is scratched and dented. Photos attached (order "
                "{order}).\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\ndanke für die Fotos. Ich habe Ihnen ein kostenloses Rücksendeetikett "
                "geschickt; der Ersatz geht sofort raus, ohne dass Sie auf die Rücksendung warten müssen.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for the photos. I've e-mailed you a free return label; the replacement "
                "ships right away, without waiting for the return.\n\nBest regards,\n{agent}"]},
        {"de": ["Wann kommt der Ersatz?"], "en": ["When will the replacement arrive?"]},
        {"de": ["Transportschaden bei {carrier} gemeldet."], "en": ["Damage claim filed with {carrier}."]},
        weight=6, products=ALL_PRODUCTS,
    ),
    Topic(
        "address-change", "Delivery", ("delivery", "address"),
        {"de": ["Lieferadresse ändern für {order}", "Falsche Lieferadresse angegeben"],
         "en": ["Change delivery address for {order}", "Wrong delivery address"]},
        {"de": ["Hallo, ich habe mich bei der Adresse vertippt. Bitte liefern Sie Bestellung {order} an "
                "{address}. Danke!"],
         "en": ["Hi, I made a typo in my address. Please deliver order {order} to {address}. Thanks!"]},
        {"de": ["Hallo {first_name},\n\ndie Adresse ist geändert, das Paket geht an {address}.\n\nGruß\n{agent}"],
         "en": ["Hi {first_name},\n\nthe address is updated; the parcel will go to {address}.\n\nBest,\n{agent}"]},
        {"de": ["In der Sendungsverfolgung steht noch die alte Adresse."],
         "en": ["The tracking page still shows the old address."]},
        {}, weight=5,
    ),
    # --- Technical -------------------------------------------------------------------------------------------------
    Topic(
        "defect", "Technical", ("defect", "warranty"),
        {"de": ["{product} funktioniert nicht mehr", "Defekt nach drei Wochen: {product}",
                "Garantiefall {product}"],
         "en": ["{product} stopped working", "{product} broke after three weeks", "Warranty claim: {product}"]},
        {"de": ["Hallo,\n\n{mein_product} lässt sich seit gestern nicht mehr einschalten. Ich habe {ihn} am {date} "
                "gekauft (Bestellung {order}). Was kann ich tun?\n\n{customer}",
                "Guten Tag, {der_product} zeigt Fehlercode E{ref3} an und bleibt dann stehen."],
         "en": ["Hello,\n\nmy {product} won't switch on since yesterday. I bought it on {date} (order {order}). "
                "What can I do?\n\n{customer}",
                "Hi, the {product} shows error code E{ref3} and then stops."]},
        {"de": ["Hallo {first_name},\n\nbitte trennen Sie das Gerät für 30 Sekunden vom Strom und starten Sie es "
                "neu. Hilft das nicht, ist es ein Garantiefall: Ich schicke Ihnen dann ein Rücksendeetikett.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nplease unplug the unit for 30 seconds and restart it. If that doesn't help, it's "
                "a warranty case and I'll send you a return label.\n\nBest regards,\n{agent}"]},
        {"de": ["Neustart hat nichts gebracht, der Fehler kommt wieder."],
         "en": ["Restarting didn't help, the error comes back."]},
        {"de": ["Bekanntes Problem mit Firmware 2.3, Technik informiert."],
         "en": ["Known issue with firmware 2.3; engineering informed."]},
        weight=10, products=("coffee", "washer", "printer", "vacuum"),
    ),
    Topic(
        "battery", "Technical", ("battery", "warranty"),
        {"de": ["Akku-Problem: {product}", "Probleme mit dem Akku: {product}"],
         "en": ["Battery problem: {product}", "{product}: trouble with the battery"]},
        {"de": ["Hallo,\n\n{mein_product} hält mit einer Akkuladung nur noch zwei Stunden durch, am Anfang waren "
                "es mehrere Tage. Gekauft habe ich {ihn} am {date}.\n\n{customer}",
                "Guten Tag, {mein_product} lädt nicht mehr, die Ladeanzeige bleibt aus. Kabel habe ich schon "
                "getauscht."],
         "en": ["Hello,\n\nthe battery of my {product} is empty after two hours; at first it lasted several days. I "
                "bought it on {date}.\n\n{customer}",
                "Hi, my {product} no longer charges and the charging light stays off. I've already tried another "
                "cable."]},
        {"de": ["Hallo {first_name},\n\nbitte laden Sie das Gerät einmal vollständig mit dem Originalkabel und "
                "installieren Sie das Update 2.4 über die App; es behebt einen bekannten Akkufehler. Bleibt das "
                "Problem, ist es ein Garantiefall und Sie bekommen von mir ein Rücksendeetikett.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nplease charge the device fully once with the original cable and install "
                "update 2.4 from the app; it fixes a known battery fault. If the problem stays, it's a warranty "
                "case and I'll send you a return label.\n\nBest regards,\n{agent}"]},
        {"de": ["Auch nach dem Update ist der Akku schnell leer."],
         "en": ["Even after the update the battery drains fast."]},
        {"de": ["Akkufehler mit Firmware 2.3 bekannt, Update 2.4 empfohlen."],
         "en": ["Battery fault known in firmware 2.3; recommended update 2.4."]},
        weight=6, products=products_with("battery"),
    ),
    Topic(
        "login", "Technical", ("account", "login"),
        {"de": ["Kann mich nicht einloggen", "Passwort zurücksetzen funktioniert nicht"],
         "en": ["Can't log in", "Password reset doesn't work"]},
        {"de": ["Hallo, ich bekomme keine E-Mail zum Zurücksetzen meines Passworts. Mein Konto läuft auf "
                "{email}."],
         "en": ["Hi, I'm not getting the password reset e-mail. My account is {email}."]},
        {"de": ["Hallo {first_name},\n\nich habe Ihnen einen neuen Link geschickt. Bitte schauen Sie auch im "
                "Spam-Ordner nach; der Link ist 24 Stunden gültig.\n\nGruß\n{agent}"],
         "en": ["Hi {first_name},\n\nI've sent you a new link. Please check your spam folder too; the link is valid "
                "for 24 hours.\n\nBest,\n{agent}"]},
        {"de": ["Der Link sagt „abgelaufen“."], "en": ["The link says \"expired\"."]}, {},
        weight=7,
    ),
    Topic(
        "setup", "Technical", ("setup", "how-to"),
        {"de": ["Einrichtung {product}", "Wie verbinde ich {den_product} mit dem WLAN?"],
         "en": ["Setting up the {product}", "How do I connect the {product} to Wi-Fi?"]},
        {"de": ["Hallo, ich bekomme {den_product} nicht mit meinem WLAN verbunden. Die App findet das Gerät "
                "nicht."],
         "en": ["Hi, I can't get the {product} onto my Wi-Fi. The app doesn't find the device."]},
        {"de": ["Hallo {first_name},\n\nhalten Sie die WPS-Taste 5 Sekunden gedrückt, bis die LED blau blinkt, und "
                "starten Sie dann die Suche in der App. Das Gerät braucht ein 2,4-GHz-Netz. Eine Anleitung finden "
                "Sie in unserer Wissensdatenbank.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nhold the WPS button for 5 seconds until the LED flashes blue, then start the "
                "search in the app. The device needs a 2.4 GHz network. There is a step-by-step guide in our help "
                "center.\n\nBest regards,\n{agent}"]},
        {"de": ["Die LED blinkt, aber die App findet trotzdem nichts."],
         "en": ["The LED flashes, but the app still finds nothing."]},
        {}, weight=6, products=products_with("wifi"),
    ),
    Topic(
        "router", "Technical", ("router", "connection"),
        {"de": ["Internet bricht ständig ab", "{product} verliert die Verbindung"],
         "en": ["Internet keeps dropping", "{product} keeps losing the connection"]},
        {"de": ["Hallo,\n\nseit einer Woche bricht abends alle paar Minuten mein Internet ab. {Der_product} ist "
                "schon neu gestartet.\n\n{customer}"],
         "en": ["Hello,\n\nfor a week my internet has been dropping every few minutes in the evening. I have "
                "already restarted the {product}.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nbitte stellen Sie im Menü „WLAN > Funkkanal“ die automatische Kanalwahl "
                "ein und installieren Sie Firmware 7.2; sie behebt Abbrüche bei vielen Nachbarnetzen.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nplease switch on automatic channel selection under \"Wi-Fi > Channel\" and "
                "install firmware 7.2; it fixes dropouts where there are many neighbouring networks.\n\n"
                "Best regards,\n{agent}"]},
        {"de": ["Die Abbrüche sind weniger geworden, aber nicht weg."],
         "en": ["Fewer dropouts now, but they haven't gone."]},
        {"de": ["Leitung durchgemessen: Sync stabil, Problem liegt im WLAN."],
         "en": ["Line test OK: sync stable, the problem is on the Wi-Fi side."]},
        weight=4, products=("router",),
    ),
    # --- Complaints ------------------------------------------------------------------------------------------------
    Topic(
        "complaint-service", "Complaints", ("complaint", "service"),
        {"de": ["Beschwerde über Ihren Kundenservice", "Dreimal angerufen, niemand hilft"],
         "en": ["Complaint about your customer service", "Called three times, nobody helps"]},
        {"de": ["Sehr geehrte Damen und Herren,\n\nich habe jetzt dreimal angerufen und wurde jedes Mal vertröstet. "
                "So einen Service habe ich noch nicht erlebt. Ich erwarte einen Rückruf.\n\n{customer}"],
         "en": ["Dear Sir or Madam,\n\nI have now called three times and was put off every time. I have never "
                "experienced service like this. I expect a call back.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nes tut mir aufrichtig leid, dass Sie so lange auf eine Lösung warten "
                "mussten. Ich kümmere mich ab jetzt persönlich um Ihr Anliegen und rufe Sie heute bis 16 Uhr an.\n\n"
                "Freundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nI'm truly sorry you had to wait so long. I'm handling your request personally "
                "from now on and will call you today before 4 pm.\n\nKind regards,\n{agent}"]},
        {"de": ["Ich warte immer noch auf den Rückruf."], "en": ["Still waiting for that call back."]},
        {"de": ["Kunde sehr verärgert, Kulanzgutschein 20 € angeboten."],
         "en": ["Customer very upset; offered a 20 EUR goodwill voucher."]},
        weight=6,
    ),
    Topic(
        "complaint-quality", "Complaints", ("complaint", "quality"),
        {"de": ["Qualität enttäuschend: {product}", "Reklamation {product}"],
         "en": ["Disappointed with the quality of the {product}", "Complaint: {product}"]},
        {"de": ["Hallo,\n\nfür {amount} hätte ich mehr erwartet. {Der_product} wirkt billig verarbeitet und hat "
                "schon nach einer Woche Kratzer. Ich möchte {ihn} zurückgeben.\n\n{customer}"],
         "en": ["Hello,\n\nfor {amount} I expected more. The {product} feels cheaply made and already has scratches "
                "after a week. I want to return it.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\ndanke für Ihre offene Rückmeldung. Sie können {den_product} innerhalb von "
                "30 Tagen kostenlos zurückgeben; das Etikett ist unterwegs.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for the honest feedback. You can return the {product} free of charge "
                "within 30 days; the label is on its way.\n\nBest regards,\n{agent}"]},
        {"de": ["Das Etikett ist nicht angekommen."], "en": ["The label hasn't arrived."]},
        {}, weight=5, products=ALL_PRODUCTS,
    ),
    # --- General ---------------------------------------------------------------------------------------------------
    Topic(
        "opening-hours", "General", ("opening-hours", "store"),
        {"de": ["Öffnungszeiten am Samstag", "Wann hat die Filiale {city} geöffnet?"],
         "en": ["Opening hours on Saturday", "When is the {city} store open?"]},
        {"de": ["Hallo, hat Ihre Filiale in {city} am Samstag geöffnet?"],
         "en": ["Hi, is your {city} store open on Saturday?"]},
        {"de": ["Hallo {first_name},\n\nunsere Filiale in {city} hat Mo–Fr 9–19 Uhr und Sa 9–16 Uhr geöffnet; an "
                "Feiertagen bleibt sie geschlossen.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nour {city} store is open Mon–Fri 9 am–7 pm and Sat 9 am–4 pm; it is closed on "
                "public holidays.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=5,
    ),
    Topic(
        "cancel-contract", "General", ("contract", "account"),
        {"de": ["Vertrag kündigen: {plan}", "Kündigungsbestätigung fehlt"],
         "en": ["Cancel my contract: {plan}", "No cancellation confirmation"]},
        {"de": ["Hallo,\n\nich möchte meinen Vertrag ({plan}) zum nächstmöglichen Termin kündigen. Bitte "
                "bestätigen Sie mir das Datum.\n\n{customer}"],
         "en": ["Hello,\n\nI'd like to cancel my contract ({plan}) at the earliest possible date. Please confirm "
                "the date.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nIhre Kündigung ist eingegangen und wird zum {month_end} wirksam. Die "
                "Bestätigung erhalten Sie zusätzlich per Post.\n\nFreundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nwe have received your cancellation; it takes effect on {month_end}. You will "
                "also get a confirmation by post.\n\nKind regards,\n{agent}"]},
        {"de": ["Die Bestätigung per Post ist noch nicht da."], "en": ["The confirmation by post hasn't come."]},
        {"de": ["Rückgewinnungsangebot abgelehnt."], "en": ["Declined the retention offer."]},
        weight=4,
    ),
    Topic(
        "switch-plan", "General", ("contract", "plan"),
        {"de": ["Tarifwechsel {plan}", "In günstigeren Tarif wechseln"],
         "en": ["Switch plan: {plan}", "Moving to a cheaper plan"]},
        {"de": ["Hallo,\n\nich möchte von meinem {plan} in einen günstigeren Tarif wechseln. Geht das auch vor "
                "Ende der Laufzeit?\n\n{customer}"],
         "en": ["Hello,\n\nI'd like to move from my {plan} to a cheaper plan. Is that possible before the end of "
                "the term?\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nein Wechsel in einen kleineren Tarif ist jederzeit zum Monatsersten "
                "möglich. Ich habe den Wechsel zum nächsten Monat eingetragen; die Bestätigung kommt per E-Mail.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nmoving to a smaller plan is possible on the first of any month. I have booked "
                "the change for next month; the confirmation follows by e-mail.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=3,
    ),
    Topic(
        "voucher", "General", ("voucher", "question"),
        {"de": ["Gutscheincode wird nicht akzeptiert", "Gutschein einlösen"],
         "en": ["Voucher code not accepted", "Redeeming a voucher"]},
        {"de": ["Hallo, mein Gutscheincode wird im Warenkorb nicht akzeptiert. Woran liegt das?"],
         "en": ["Hi, my voucher code isn't accepted at checkout. Why is that?"]},
        {"de": ["Hallo {first_name},\n\nGutscheine gelten ab 50 € Bestellwert und nicht für bereits reduzierte "
                "Artikel. Ihr Code ist noch bis {month_end} gültig.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nvouchers apply from an order value of 50 EUR and not to items already on sale. "
                "Your code is valid until {month_end}.\n\nBest regards,\n{agent}"]},
        {"de": ["Mein Warenkorb liegt über 50 € und es geht trotzdem nicht."],
         "en": ["My basket is over 50 EUR and it still doesn't work."]},
        {}, weight=4,
    ),
    Topic(
        "newsletter", "General", ("newsletter", "account"),
        {"de": ["Newsletter abbestellen", "Keine Werbe-E-Mails mehr"],
         "en": ["Unsubscribe from the newsletter", "No more marketing e-mails"]},
        {"de": ["Bitte tragen Sie mich aus dem Newsletter aus, die Abmeldung im Link funktioniert nicht."],
         "en": ["Please take me off the newsletter, the unsubscribe link doesn't work."]},
        {"de": ["Hallo {first_name},\n\nich habe {email} aus dem Newsletter ausgetragen. Bis zu 48 Stunden kann "
                "noch eine bereits geplante E-Mail ankommen.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nI've removed {email} from the newsletter. An e-mail already scheduled may "
                "still arrive within 48 hours.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=2,
    ),
]

_SALUTATIONS = ("Hallo", "Hi", "Hello", "Guten Tag", "Sehr geehrte", "Dear")
#: Placeholders that have a capitalised twin, for a text that now starts with one.
_CAPITALISED = {"der_product", "den_product", "dem_product", "mein_product", "meinen_product", "er"}
_conversational: dict[str, str] = {}


def conversational(template: str) -> str:
    """A letter-style template as said on a call or typed in a chat: without salutation and sign-off, one line."""
    found = _conversational.get(template)
    if found is not None:
        return found
    paragraphs = template.split("\n\n")
    if len(paragraphs) > 1 and paragraphs[0].startswith(_SALUTATIONS) and paragraphs[0].rstrip().endswith(","):
        paragraphs = paragraphs[1:]
    while len(paragraphs) > 1 and ("{customer}" in paragraphs[-1] or "{agent}" in paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    text = " ".join(p.replace("\n", " ") for p in paragraphs).strip()
    if text.startswith("{"):
        name = text[1:text.index("}")]
        if name in _CAPITALISED:
            text = "{" + name.capitalize() + text[len(name) + 1:]
    elif text:
        text = text[0].upper() + text[1:]
    found = _conversational[template] = text or template
    return found


#: Per topic, the canned response (shortcut; ``-de`` for German) and the KB article (slug; ``-de`` for German) that
#: answer it: what an agent inserts with ctrl+t and finds with ctrl+k for such a case.
ANSWERS: dict[str, tuple[str, str]] = {
    "invoice-amount": ("invoice-explained", "invoice-questions"),
    "invoice-copy": ("invoice-copy", "invoice-questions"),
    "invoice-address": ("invoice-corrected", "invoice-questions"),
    "refund": ("refund", "refund-times"),
    "double-charge": ("double-charge", "double-charge"),
    "delivery-status": ("delivery-status", "track-a-parcel"),
    "late-delivery": ("delivery-delay", "late-delivery"),
    "damaged-parcel": ("damaged-replacement", "damaged-delivery"),
    "address-change": ("address-changed", "delivery-address"),
    "defect": ("restart", "warranty-claims"),
    "battery": ("battery", "battery-problems"),
    "login": ("password-reset", "password-reset"),
    "setup": ("wifi-setup", "wifi-setup"),
    "router": ("router-dropouts", "router-dropouts"),
    "complaint-service": ("apology", "handling-complaints"),
    "complaint-quality": ("return-label", "returns"),
    "opening-hours": ("opening-hours", "opening-hours"),
    "cancel-contract": ("cancellation", "cancel-contract"),
    "switch-plan": ("plan-switch", "switch-plan"),
    "voucher": ("voucher", "vouchers"),
    "newsletter": ("newsletter", "newsletter"),
}


def localised(name: str, language: str) -> str:
    """The shortcut or slug of the German twin (``refund`` -> ``refund-de``)."""
    return f"{name}-de" if language == "de" else name


#: The agent's second answer, after the customer wrote again, by queue: it moves the case on instead of repeating
#: the first reply.
SECOND_REPLIES = {
    "Billing": {
        "de": ["Hallo {first_name},\n\nich habe das noch einmal mit der Buchhaltung geprüft: Die Korrektur ist jetzt "
               "gebucht und in 2–3 Werktagen auf Ihrem Konto sichtbar. Entschuldigen Sie die Verzögerung.\n\n"
               "Viele Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\nI've checked again with accounting: the correction is now booked and will show "
               "on your account within 2–3 working days. Sorry for the delay.\n\nBest regards,\n{agent}"],
    },
    "Delivery": {
        "de": ["Hallo {first_name},\n\nich habe bei {carrier} nachgehakt: Die Sendung {tracking} ist jetzt in der "
               "Zustellung und kommt spätestens am {later}.\n\nViele Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\nI've chased {carrier}: shipment {tracking} is now out for delivery and will "
               "arrive by {later} at the latest.\n\nBest regards,\n{agent}"],
    },
    "Technical": {
        "de": ["Hallo {first_name},\n\ndanke für die Rückmeldung. Dann ist es ein Garantiefall: Ein kostenloses "
               "Rücksendeetikett ist an {email} unterwegs; die Reparatur dauert etwa 10 Werktage.\n\n"
               "Viele Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\nthanks for letting me know. Then it's a warranty case: a free return label is "
               "on its way to {email}; the repair takes about 10 working days.\n\nBest regards,\n{agent}"],
    },
    "Complaints": {
        "de": ["Hallo {first_name},\n\nich habe mir Ihren Fall noch einmal angesehen. Als Entschuldigung schreiben "
               "wir Ihnen einen Gutschein über 20 € gut; er kommt per E-Mail.\n\nFreundliche Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\nI've looked at your case again. As an apology we are crediting you a 20 EUR "
               "voucher; it comes by e-mail.\n\nKind regards,\n{agent}"],
    },
    "General": {
        "de": ["Hallo {first_name},\n\nich habe das noch einmal geprüft und korrigiert; die Bestätigung geht in den "
               "nächsten Minuten an {email}.\n\nViele Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\nI've checked and corrected it; the confirmation goes to {email} within the next "
               "few minutes.\n\nBest regards,\n{agent}"],
    },
}
#: Short customer messages that fit any topic.
THANKS = {"de": ["Vielen Dank, das hat geholfen!", "Super, danke für die schnelle Hilfe.", "Alles klar, danke."],
          "en": ["Thank you, that solved it!", "Great, thanks for the quick help.", "All good now, thanks."]}
#: The agent asking the customer for something, by queue (the case then waits, pending on the customer).
PENDING_ASK = {
    "Billing": {
        "de": ["Hallo {first_name},\n\ndamit ich das prüfen kann: Können Sie mir bitte einen Auszug Ihrer "
               "Kontobewegungen mit der Buchung schicken?\n\nViele Grüße\n{agent}",
               "Hallo {first_name},\n\nkönnen Sie mir bitte die Rechnungsnummer und die Zahlungsart nennen?\n\n"
               "Gruß\n{agent}"],
        "en": ["Hi {first_name},\n\nso I can check this: could you send me a statement showing the payment?\n\n"
               "Best regards,\n{agent}",
               "Hi {first_name},\n\ncould you tell me the invoice number and how you paid?\n\nThanks,\n{agent}"],
    },
    "Delivery": {
        "de": ["Hallo {first_name},\n\ndamit ich weiterhelfen kann: Können Sie mir bitte Fotos vom Paket und vom "
               "Adressaufkleber schicken?\n\nViele Grüße\n{agent}",
               "Hallo {first_name},\n\nkönnen Sie bitte bei Ihren Nachbarn nachfragen, ob das Paket dort abgegeben "
               "wurde?\n\nGruß\n{agent}"],
        "en": ["Hi {first_name},\n\nso I can help: could you send me photos of the parcel and the address label?"
               "\n\nBest regards,\n{agent}",
               "Hi {first_name},\n\ncould you check with your neighbours whether the parcel was left there?\n\n"
               "Thanks,\n{agent}"],
    },
    "Technical": {
        "de": ["Hallo {first_name},\n\ndamit ich weiterhelfen kann: Können Sie mir bitte die Seriennummer vom "
               "Typenschild und die Firmware-Version aus dem Gerätemenü schicken?\n\nViele Grüße\n{agent}",
               "Hallo {first_name},\n\nkönnen Sie mir bitte kurz bestätigen, ob das Problem nach dem Neustart "
               "weiterhin besteht?\n\nGruß\n{agent}"],
        "en": ["Hi {first_name},\n\nso I can help: could you send me the serial number from the type plate and "
               "the firmware version from the device menu?\n\nBest regards,\n{agent}",
               "Hi {first_name},\n\ncould you confirm whether the problem persists after the restart?\n\n"
               "Thanks,\n{agent}"],
    },
    "Complaints": {
        "de": ["Hallo {first_name},\n\nwann kann ich Sie heute am besten telefonisch erreichen?\n\nViele Grüße\n"
               "{agent}"],
        "en": ["Hi {first_name},\n\nwhen is the best time to call you today?\n\nBest regards,\n{agent}"],
    },
    "General": {
        "de": ["Hallo {first_name},\n\nkönnen Sie mir bitte Ihre Kundennummer nennen? Sie steht oben auf jeder "
               "Rechnung.\n\nViele Grüße\n{agent}"],
        "en": ["Hi {first_name},\n\ncould you tell me your customer number? It is at the top of every invoice."
               "\n\nBest regards,\n{agent}"],
    },
}
CLOSING = {
    "de": ["Hallo {first_name},\n\nich schließe den Vorgang {key} jetzt ab. Wenn Sie noch Fragen haben, antworten "
           "Sie einfach auf diese Nachricht.\n\nViele Grüße\n{agent}"],
    "en": ["Hi {first_name},\n\nI'm closing case {key} now. If anything else comes up, just reply to this message."
           "\n\nBest regards,\n{agent}"],
}
GENERIC_NOTES = {
    "de": ["Kunde telefonisch erreicht, Lösung besprochen.", "Rückruf für morgen Vormittag vereinbart.",
           "Bitte auf Antwort des Kunden warten."],
    "en": ["Reached the customer by phone, discussed the fix.", "Call back agreed for tomorrow morning.",
           "Waiting for the customer's answer."],
}
#: Why tier 1 hands a case on, by queue.
ESCALATION_REASONS = {
    "Billing": ["refund above tier-1 limit", "possible fraud on the payment", "repeated contact without resolution"],
    "Delivery": ["replacement above tier-1 limit", "carrier claim needs tier 2", "repeated contact without resolution"],
    "Technical": ["needs a technician's assessment", "known fault, engineering to confirm",
                  "repeated contact without resolution"],
    "Complaints": ["customer requests a supervisor", "legal threat in the complaint", "goodwill above tier-1 limit"],
    "General": ["contract exception needs approval", "customer requests a supervisor",
                "repeated contact without resolution"],
}
#: The agent's note when a live contact ends solved, by channel.
RESOLVED_NOTES = {
    "phone": {"de": "Telefonisch gelöst, Kunde einverstanden.", "en": "Solved on the call; customer agreed."},
    "chat": {"de": "Im Chat gelöst, Kunde einverstanden.", "en": "Solved in the chat; customer agreed."},
    "onsite": {"de": "Vor Ort gelöst, Kunde einverstanden.", "en": "Solved at the desk; customer agreed."},
    "written": {"de": "Kunde telefonisch erreicht, Lösung besprochen.",
                "en": "Reached the customer by phone, discussed the fix."},
}
CITIES = {"de": ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Frankfurt", "Stuttgart", "Dresden"],
          "en": ["London", "Manchester", "Dublin", "Edinburgh", "Bristol", "Leeds", "Glasgow", "Cardiff"]}

# --- canned responses (Jinja placeholders, filled by the console) ------------------------------------------------

CANNED: list[tuple[str, str, str, str, str]] = [
    # (shortcut, language, category, title, body)
    ("greeting", "en", "General", "Greeting",
     "Hi {{ customer.first_name }},\n\nthank you for contacting us about \"{{ case.subject }}\". "),
    ("greeting-de", "de", "General", "Begrüßung",
     "Hallo {{ customer.first_name }},\n\nvielen Dank für Ihre Nachricht zu „{{ case.subject }}“. "),
    ("refund", "en", "Billing", "Refund issued",
     "Hi {{ customer.first_name }},\n\nI have issued your refund today ({{ today }}). Depending on your bank it "
     "takes 3–5 working days to appear on your statement.\n\nYour case number is {{ case.key }}.\n\n"
     "Best regards,\n{{ agent.name }}"),
    ("refund-de", "de", "Billing", "Erstattung veranlasst",
     "Hallo {{ customer.first_name }},\n\nich habe Ihre Erstattung heute ({{ today }}) veranlasst. Je nach Bank "
     "dauert die Gutschrift 3–5 Werktage.\n\nIhre Vorgangsnummer lautet {{ case.key }}.\n\n"
     "Viele Grüße\n{{ agent.name }}"),
    ("invoice-copy", "en", "Billing", "Invoice copy",
     "Hi {{ customer.first_name }},\n\nyou can download every invoice in your account under \"My invoices\". I have "
     "also sent a copy to {{ customer.email }}.\n\nKind regards,\n{{ agent.name }}"),
    ("invoice-copy-de", "de", "Billing", "Rechnungskopie",
     "Hallo {{ customer.first_name }},\n\nalle Rechnungen finden Sie in Ihrem Kundenkonto unter „Meine Rechnungen“. "
     "Eine Kopie habe ich Ihnen zusätzlich an {{ customer.email }} geschickt.\n\nFreundliche Grüße\n"
     "{{ agent.name }}"),
    ("double-charge", "en", "Billing", "Duplicate charge voided",
     "Hi {{ customer.first_name }},\n\nthe duplicate charge has been voided and will return to your account within "
     "a few days. Sorry for the inconvenience.\n\n{{ agent.name }}"),
    ("double-charge-de", "de", "Billing", "Doppelte Abbuchung storniert",
     "Hallo {{ customer.first_name }},\n\ndie doppelte Abbuchung ist storniert; der Betrag ist in wenigen Tagen "
     "wieder auf Ihrem Konto. Entschuldigen Sie die Unannehmlichkeiten.\n\n{{ agent.name }}"),
    ("delivery-status", "en", "Delivery", "Delivery status",
     "Hi {{ customer.first_name }},\n\nyour parcel is on its way and should arrive within the next 1–2 working "
     "days. You can follow it with the tracking link in your shipping confirmation.\n\nBest regards,\n"
     "{{ agent.name }}"),
    ("delivery-status-de", "de", "Delivery", "Lieferstatus",
     "Hallo {{ customer.first_name }},\n\nIhr Paket ist unterwegs und sollte in den nächsten 1–2 Werktagen "
     "ankommen. Den Status sehen Sie über den Link in Ihrer Versandbestätigung.\n\nViele Grüße\n{{ agent.name }}"),
    ("delivery-delay", "en", "Delivery", "Delivery delayed",
     "Hi {{ customer.first_name }},\n\nI'm sorry your delivery is late. The item ships again shortly and we are "
     "refunding the shipping cost as an apology.\n\nKind regards,\n{{ agent.name }}"),
    ("delivery-delay-de", "de", "Delivery", "Lieferverzögerung",
     "Hallo {{ customer.first_name }},\n\nes tut mir leid, dass sich Ihre Lieferung verzögert. Der Artikel wird in "
     "Kürze versendet, die Versandkosten erstatten wir Ihnen als Entschuldigung.\n\nFreundliche Grüße\n"
     "{{ agent.name }}"),
    ("return-label", "en", "Delivery", "Return label",
     "Hi {{ customer.first_name }},\n\nI have sent a free return label to {{ customer.email }}. Please pack the item "
     "securely and drop it at any parcel shop.\n\nBest regards,\n{{ agent.name }}"),
    ("return-label-de", "de", "Delivery", "Rücksendeetikett",
     "Hallo {{ customer.first_name }},\n\nich habe Ihnen ein kostenloses Rücksendeetikett an {{ customer.email }} "
     "geschickt. Bitte verpacken Sie den Artikel gut und geben Sie ihn in einem Paketshop ab.\n\nViele Grüße\n"
     "{{ agent.name }}"),
    ("restart", "en", "Technical", "Restart the device",
     "Hi {{ customer.first_name }},\n\nplease unplug the device for 30 seconds, plug it back in and try again. If the "
     "problem persists, reply to this message quoting {{ case.key }}.\n\n{{ agent.name }}"),
    ("restart-de", "de", "Technical", "Gerät neu starten",
     "Hallo {{ customer.first_name }},\n\nbitte trennen Sie das Gerät 30 Sekunden vom Strom und versuchen Sie es "
     "erneut. Besteht das Problem weiter, antworten Sie bitte mit Angabe von {{ case.key }}.\n\n{{ agent.name }}"),
    ("password-reset", "en", "Technical", "Password reset link",
     "Hi {{ customer.first_name }},\n\nI've sent a new password reset link to {{ customer.email }}. It is valid for "
     "24 hours; please check your spam folder as well.\n\n{{ agent.name }}"),
    ("password-reset-de", "de", "Technical", "Link zum Zurücksetzen",
     "Hallo {{ customer.first_name }},\n\nich habe Ihnen einen neuen Link zum Zurücksetzen an {{ customer.email }} "
     "geschickt. Er ist 24 Stunden gültig; bitte prüfen Sie auch den Spam-Ordner.\n\n{{ agent.name }}"),
    ("apology", "en", "Complaints", "Apology",
     "Dear {{ customer.name }},\n\nI'm truly sorry about your experience. I am now handling case {{ case.key }} "
     "personally and will get back to you by the end of {{ today }}.\n\nKind regards,\n{{ agent.name }}"),
    ("apology-de", "de", "Complaints", "Entschuldigung",
     "Sehr geehrte/r {{ customer.name }},\n\nes tut mir aufrichtig leid, was Sie erlebt haben. Ich kümmere mich ab "
     "sofort persönlich um den Vorgang {{ case.key }} und melde mich bis heute ({{ today }}) Abend bei Ihnen.\n\n"
     "Freundliche Grüße\n{{ agent.name }}"),
    ("opening-hours", "en", "General", "Opening hours",
     "Hi {{ customer.first_name }},\n\nour stores are open Monday to Friday 9 am–7 pm and Saturday 9 am–4 pm, closed "
     "on public holidays. Our phone line is available Monday to Friday 8 am–6 pm.\n\nBest regards,\n"
     "{{ agent.name }}"),
    ("opening-hours-de", "de", "General", "Öffnungszeiten",
     "Hallo {{ customer.first_name }},\n\nunsere Filialen haben Mo–Fr 9–19 Uhr und Sa 9–16 Uhr geöffnet, an "
     "Feiertagen geschlossen. Telefonisch erreichen Sie uns Mo–Fr 8–18 Uhr.\n\nViele Grüße\n{{ agent.name }}"),
    ("cancellation", "en", "General", "Cancellation confirmed",
     "Hi {{ customer.first_name }},\n\nwe have received your cancellation. You will receive written confirmation "
     "at {{ customer.email }}.\n\nKind regards,\n{{ agent.name }}"),
    ("cancellation-de", "de", "General", "Kündigung bestätigt",
     "Hallo {{ customer.first_name }},\n\nIhre Kündigung ist bei uns eingegangen. Die schriftliche Bestätigung "
     "erhalten Sie an {{ customer.email }}.\n\nFreundliche Grüße\n{{ agent.name }}"),
    ("more-info", "en", "General", "Ask for details",
     "Hi {{ customer.first_name }},\n\nto help you with \"{{ case.subject }}\" I need a few more details: your order "
     "number and, if possible, a photo of the problem.\n\nThanks,\n{{ agent.name }}"),
    ("more-info-de", "de", "General", "Rückfrage",
     "Hallo {{ customer.first_name }},\n\num Ihnen bei „{{ case.subject }}“ zu helfen, brauche ich noch Ihre "
     "Bestellnummer und wenn möglich ein Foto des Problems.\n\nDanke\n{{ agent.name }}"),
    ("closing", "en", "General", "Closing the case",
     "Hi {{ customer.first_name }},\n\nI'm closing case {{ case.key }} now. If anything else comes up, simply reply "
     "to this message.\n\nBest regards,\n{{ agent.name }}"),
    ("closing-de", "de", "General", "Vorgang abschließen",
     "Hallo {{ customer.first_name }},\n\nich schließe den Vorgang {{ case.key }} jetzt ab. Bei weiteren Fragen "
     "antworten Sie einfach auf diese Nachricht.\n\nViele Grüße\n{{ agent.name }}"),
    ("escalated", "en", "General", "Passed to a specialist",
     "Hi {{ customer.first_name }},\n\nI've passed your case {{ case.key }} to our {{ case.queue }} specialists; they "
     "will contact you via {{ case.channel }} shortly.\n\n{{ agent.name }}"),
    ("escalated-de", "de", "General", "An Fachabteilung übergeben",
     "Hallo {{ customer.first_name }},\n\nich habe Ihren Vorgang {{ case.key }} an unsere Fachabteilung "
     "{{ case.queue }} übergeben; sie meldet sich in Kürze per {{ case.channel }} bei Ihnen.\n\n{{ agent.name }}"),
    ("invoice-explained", "en", "Billing", "Invoice explained",
     "Hi {{ customer.first_name }},\n\nthe amount on your invoice is the item price plus shipping; free shipping "
     "applies from an order value of 50 EUR. I have attached the breakdown.\n\nKind regards,\n{{ agent.name }}"),
    ("invoice-explained-de", "de", "Billing", "Rechnung erklärt",
     "Hallo {{ customer.first_name }},\n\nder Betrag auf Ihrer Rechnung setzt sich aus Artikelpreis und "
     "Versandkosten zusammen; versandkostenfrei liefern wir ab 50 € Bestellwert. Die Aufstellung habe ich Ihnen "
     "angehängt.\n\nFreundliche Grüße\n{{ agent.name }}"),
    ("invoice-corrected", "en", "Billing", "Invoice corrected",
     "Hi {{ customer.first_name }},\n\nthe corrected invoice with your new address is now in your account under "
     "\"My invoices\"; the old one is cancelled.\n\nKind regards,\n{{ agent.name }}"),
    ("invoice-corrected-de", "de", "Billing", "Rechnung korrigiert",
     "Hallo {{ customer.first_name }},\n\ndie korrigierte Rechnung mit Ihrer neuen Adresse steht ab sofort in Ihrem "
     "Kundenkonto unter „Meine Rechnungen“; die alte Rechnung ist storniert.\n\nViele Grüße\n{{ agent.name }}"),
    ("address-changed", "en", "Delivery", "Delivery address changed",
     "Hi {{ customer.first_name }},\n\nI have changed the delivery address as requested. If the parcel has already "
     "been handed to the carrier, the change can take a day to show in the tracking.\n\nBest regards,\n"
     "{{ agent.name }}"),
    ("address-changed-de", "de", "Delivery", "Lieferadresse geändert",
     "Hallo {{ customer.first_name }},\n\nich habe die Lieferadresse wie gewünscht geändert. Ist das Paket schon beim "
     "Versanddienstleister, erscheint die Änderung bis zu einem Tag später in der Sendungsverfolgung.\n\n"
     "Viele Grüße\n{{ agent.name }}"),
    ("damaged-replacement", "en", "Delivery", "Damaged delivery: replacement",
     "Hi {{ customer.first_name }},\n\nthank you for the photos. A replacement is on its way today, and I have sent "
     "a free return label for the damaged item to {{ customer.email }}.\n\nBest regards,\n{{ agent.name }}"),
    ("damaged-replacement-de", "de", "Delivery", "Transportschaden: Ersatz unterwegs",
     "Hallo {{ customer.first_name }},\n\ndanke für die Fotos. Der Ersatz geht noch heute raus; ein kostenloses "
     "Rücksendeetikett für den beschädigten Artikel habe ich Ihnen an {{ customer.email }} geschickt.\n\n"
     "Viele Grüße\n{{ agent.name }}"),
    ("battery", "en", "Technical", "Battery: charge and update",
     "Hi {{ customer.first_name }},\n\nplease charge the device fully once with the original cable and install "
     "update 2.4 from the app; it fixes a known battery fault. If the battery still drains fast, reply quoting "
     "{{ case.key }} and I'll arrange a warranty repair.\n\n{{ agent.name }}"),
    ("battery-de", "de", "Technical", "Akku: laden und Update",
     "Hallo {{ customer.first_name }},\n\nbitte laden Sie das Gerät einmal vollständig mit dem Originalkabel und "
     "installieren Sie das Update 2.4 über die App; es behebt einen bekannten Akkufehler. Ist der Akku danach "
     "weiterhin schnell leer, antworten Sie bitte mit Angabe von {{ case.key }}, dann veranlasse ich eine "
     "Garantiereparatur.\n\n{{ agent.name }}"),
    ("wifi-setup", "en", "Technical", "Connecting to Wi-Fi",
     "Hi {{ customer.first_name }},\n\nhold the WPS button for 5 seconds until the LED flashes blue, then choose "
     "\"Add device\" in the app. The device needs a 2.4 GHz network; if the app finds nothing, switch off mobile "
     "data on your phone and try again.\n\nBest regards,\n{{ agent.name }}"),
    ("wifi-setup-de", "de", "Technical", "Mit dem WLAN verbinden",
     "Hallo {{ customer.first_name }},\n\nhalten Sie die WPS-Taste 5 Sekunden gedrückt, bis die LED blau blinkt, "
     "und wählen Sie dann in der App „Gerät hinzufügen“. Das Gerät braucht ein 2,4-GHz-Netz; findet die App nichts, "
     "schalten Sie die mobilen Daten am Handy aus und versuchen Sie es erneut.\n\nViele Grüße\n{{ agent.name }}"),
    ("router-dropouts", "en", "Technical", "Router: connection drops",
     "Hi {{ customer.first_name }},\n\nplease switch on automatic channel selection under \"Wi-Fi > Channel\" and "
     "install firmware 7.2 on the router; it fixes dropouts where there are many neighbouring networks.\n\n"
     "Best regards,\n{{ agent.name }}"),
    ("router-dropouts-de", "de", "Technical", "Router: Verbindungsabbrüche",
     "Hallo {{ customer.first_name }},\n\nbitte stellen Sie im Router-Menü „WLAN > Funkkanal“ die automatische "
     "Kanalwahl ein und installieren Sie Firmware 7.2; sie behebt Abbrüche bei vielen Nachbarnetzen.\n\n"
     "Viele Grüße\n{{ agent.name }}"),
    ("voucher", "en", "General", "Voucher conditions",
     "Hi {{ customer.first_name }},\n\nvouchers apply from an order value of 50 EUR and not to items already on "
     "sale; one voucher per order. Enter the code in the basket before checking out.\n\nBest regards,\n"
     "{{ agent.name }}"),
    ("voucher-de", "de", "General", "Gutscheinbedingungen",
     "Hallo {{ customer.first_name }},\n\nGutscheine gelten ab 50 € Bestellwert und nicht für bereits reduzierte "
     "Artikel; pro Bestellung ist ein Gutschein möglich. Bitte geben Sie den Code im Warenkorb vor dem Bezahlen "
     "ein.\n\nViele Grüße\n{{ agent.name }}"),
    ("newsletter", "en", "General", "Newsletter unsubscribed",
     "Hi {{ customer.first_name }},\n\nI have removed {{ customer.email }} from our newsletter. An e-mail already "
     "scheduled may still arrive within 48 hours.\n\nBest regards,\n{{ agent.name }}"),
    ("newsletter-de", "de", "General", "Newsletter abbestellt",
     "Hallo {{ customer.first_name }},\n\nich habe {{ customer.email }} aus unserem Newsletter ausgetragen. Eine "
     "bereits geplante E-Mail kann noch bis zu 48 Stunden lang ankommen.\n\nViele Grüße\n{{ agent.name }}"),
    ("plan-switch", "en", "General", "Plan change booked",
     "Hi {{ customer.first_name }},\n\nI have booked your change to the smaller plan for the first of next month. "
     "The confirmation follows by e-mail to {{ customer.email }}.\n\nKind regards,\n{{ agent.name }}"),
    ("plan-switch-de", "de", "General", "Tarifwechsel eingetragen",
     "Hallo {{ customer.first_name }},\n\nich habe Ihren Wechsel in den kleineren Tarif zum nächsten Monatsersten "
     "eingetragen. Die Bestätigung erhalten Sie per E-Mail an {{ customer.email }}.\n\nFreundliche Grüße\n"
     "{{ agent.name }}"),
]

# --- knowledge base ---------------------------------------------------------------------------------------------

KB_BASE: list[tuple[str, str, str, str, str]] = [
    # (slug, language, tags, title, markdown body)
    ("refund-times", "en", "billing,refund", "How long does a refund take?",
     "# How long does a refund take?\n\nOnce a return reaches our warehouse it is checked within **2 working "
     "days**. The refund then goes back to the original payment method:\n\n| Payment method | Time to appear |\n"
     "|---|---|\n| Credit card | 3–5 working days |\n| PayPal | 1–2 working days |\n| Invoice / bank transfer | "
     "5–7 working days |\n\n## What agents should check\n\n1. Is the return scanned in (status *received*)?\n"
     "2. Was the refund released in accounting (reference `RF-…`)?\n3. If more than 10 working days have passed, "
     "open a request with accounting and tell the customer the reference.\n\nRefunds above **250 EUR** need "
     "tier-2 approval."),
    ("refund-times-de", "de", "billing,refund", "Wie lange dauert eine Rückerstattung?",
     "# Wie lange dauert eine Rückerstattung?\n\nSobald eine Retoure im Lager ist, wird sie innerhalb von **2 "
     "Werktagen** geprüft. Die Erstattung geht an das ursprüngliche Zahlungsmittel:\n\n| Zahlungsart | Dauer |\n"
     "|---|---|\n| Kreditkarte | 3–5 Werktage |\n| PayPal | 1–2 Werktage |\n| Rechnung / Überweisung | "
     "5–7 Werktage |\n\n## Was Agents prüfen\n\n1. Ist die Retoure eingebucht (Status *eingegangen*)?\n2. Wurde "
     "die Erstattung in der Buchhaltung freigegeben (Referenz `RF-…`)?\n3. Nach mehr als 10 Werktagen: Anfrage an "
     "die Buchhaltung stellen und dem Kunden die Referenz nennen.\n\nErstattungen über **250 €** brauchen eine "
     "Freigabe durch Tier 2."),
    ("track-a-parcel", "en", "delivery,tracking", "Tracking a parcel",
     "# Tracking a parcel\n\nEvery shipping confirmation contains a tracking link. Carriers we use: DHL, DPD, "
     "Hermes, UPS and GLS.\n\n## No movement for 3 days\n\n- Check the carrier's status in the back office.\n- If the "
     "parcel sits at a depot, open a **trace request** with the carrier.\n- After 7 days without a scan, the parcel "
     "counts as lost: send a replacement and file a claim.\n\n## Changing the address\n\nPossible until the status "
     "is *handed to carrier*; afterwards only the carrier can redirect it."),
    ("track-a-parcel-de", "de", "delivery,tracking", "Sendungsverfolgung",
     "# Sendungsverfolgung\n\nJede Versandbestätigung enthält einen Link zur Sendungsverfolgung. Unsere "
     "Versanddienstleister: DHL, DPD, Hermes, UPS und GLS.\n\n## Drei Tage keine Bewegung\n\n- Status beim "
     "Versanddienstleister im Backoffice prüfen.\n- Liegt das Paket im Depot: **Nachforschungsauftrag** stellen.\n"
     "- Nach 7 Tagen ohne Scan gilt das Paket als verloren: Ersatz schicken und Schaden melden.\n\n## Adresse "
     "ändern\n\nMöglich bis zum Status *an Versanddienstleister übergeben*; danach nur noch über den "
     "Versanddienstleister."),
    ("damaged-delivery", "en", "delivery,damage,warranty", "A delivery arrived damaged",
     "# A delivery arrived damaged\n\nAsk the customer for **photos of the box and the item**. Then:\n\n1. Send a "
     "free return label.\n2. Mark the order *transport damage* so the replacement ships without waiting for the "
     "return.\n3. File the damage claim with the carrier within 7 days.\n\nNever ask the customer to repair the "
     "item themselves."),
    ("damaged-delivery-de", "de", "delivery,damage,warranty", "Lieferung beschädigt angekommen",
     "# Lieferung beschädigt angekommen\n\nBitten Sie um **Fotos von Karton und Artikel**. Dann:\n\n1. Kostenloses "
     "Rücksendeetikett schicken.\n2. Bestellung als *Transportschaden* markieren, damit der Ersatz sofort "
     "rausgeht.\n3. Schaden innerhalb von 7 Tagen beim Versanddienstleister melden.\n\nDen Kunden nie selbst "
     "reparieren lassen."),
    ("warranty-claims", "en", "warranty,defect", "Warranty claims: defects and repairs",
     "# Warranty claims: defects and repairs\n\nAll devices carry a **2-year warranty** from the delivery date.\n\n## First steps\n\n"
     "- The device won't switch on: check the socket with another appliance.\n- Restart: unplug for 30 seconds.\n- Check the firmware version in the device menu; 2.3 has a known fault "
     "(error code E104) fixed by updating to 2.4.\n\n## Return for repair\n\nIf the fault persists, send a return "
     "label. Repairs take about 10 working days; a replacement is offered when a repair is not possible."),
    ("warranty-claims-de", "de", "warranty,defect", "Garantiefall: Defekte und Reparatur",
     "# Garantiefall: Defekte und Reparatur\n\nAlle Geräte haben **2 Jahre Garantie** ab Lieferdatum.\n\n## Erste Schritte\n\n- "
     "Gerät lässt sich nicht einschalten: Steckdose mit einem anderen Gerät prüfen.\n- "
     "Neustart: 30 Sekunden vom Strom trennen.\n- Firmware-Version im Gerätemenü prüfen; Version 2.3 hat einen "
     "bekannten Fehler (Fehlercode E104), behoben mit dem Update auf 2.4.\n\n## Einsenden zur Reparatur\n\nBesteht "
     "der Fehler weiter, Rücksendeetikett schicken. Eine Reparatur dauert etwa 10 Werktage; ist sie nicht möglich, "
     "bieten wir Ersatz an."),
    ("password-reset", "en", "account,login", "Password reset does not arrive",
     "# Password reset does not arrive\n\nThe customer cannot log in and gets no e-mail to reset the password:\n\n1. Confirm the e-mail address on the account.\n2. Ask the customer to "
     "check the spam folder.\n3. Send a new link from the back office; links expire after **24 hours**.\n4. If the "
     "address bounces, verify the customer's identity by phone before changing it."),
    ("password-reset-de", "de", "account,login", "Passwort zurücksetzen: E-Mail kommt nicht an",
     "# Passwort zurücksetzen: E-Mail kommt nicht an\n\nDer Kunde kann sich nicht einloggen und bekommt keine E-Mail "
     "zum Zurücksetzen des Passworts:\n\n1. E-Mail-Adresse im Konto bestätigen.\n2. Kunden bitten, den "
     "Spam-Ordner zu prüfen.\n3. Neuen Link aus dem Backoffice senden; Links laufen nach **24 Stunden** ab.\n4. "
     "Kommt die E-Mail als unzustellbar zurück: Identität telefonisch prüfen, bevor die Adresse geändert wird."),
    ("opening-hours", "en", "opening-hours,store", "Opening hours and holidays",
     "# Opening hours and holidays\n\n| | Stores | Phone line |\n|---|---|---|\n| Mon–Fri | 9 am–7 pm | "
     "8 am–6 pm |\n| Sat | 9 am–4 pm | closed |\n| Sun, public holidays | closed | closed |\n\nChat and e-mail are "
     "answered around the clock, with longer response times outside the phone line's hours."),
    ("opening-hours-de", "de", "opening-hours,store", "Öffnungszeiten und Feiertage",
     "# Öffnungszeiten und Feiertage\n\n| | Filialen | Telefon |\n|---|---|---|\n| Mo–Fr | 9–19 Uhr | 8–18 Uhr |\n"
     "| Sa | 9–16 Uhr | geschlossen |\n| So, Feiertage | geschlossen | geschlossen |\n\nChat und E-Mail werden rund "
     "um die Uhr beantwortet, außerhalb der Telefonzeiten mit längeren Antwortzeiten."),
    ("cancel-contract", "en", "contract,account", "Cancelling a contract",
     "# Cancelling a contract\n\nContracts can be cancelled with **one month's notice** to the end of a month.\n\n"
     "- Confirm the cancellation date in writing.\n- Offer the retention voucher once; do not push if declined.\n"
     "- Note the reason in the case (price, service, moving, other)."),
    ("cancel-contract-de", "de", "contract,account", "Vertrag kündigen",
     "# Vertrag kündigen\n\nVerträge sind mit **einem Monat Frist** zum Monatsende kündbar.\n\n- Kündigungsdatum "
     "schriftlich bestätigen.\n- Das Rückgewinnungsangebot einmal anbieten; bei Ablehnung nicht nachhaken.\n- Grund "
     "im Vorgang notieren (Preis, Service, Umzug, Sonstiges)."),
    ("handling-complaints", "en", "complaint,service", "Handling complaints",
     "# Handling complaints\n\n1. Let the customer finish; acknowledge the problem.\n2. Apologise for the "
     "experience, not for facts you have not checked.\n3. Name one concrete next step and a time.\n4. Goodwill "
     "voucher up to **20 EUR** at tier 1, more needs a supervisor.\n\nEscalate when the customer mentions legal "
     "steps or the press."),
    ("handling-complaints-de", "de", "complaint,service", "Umgang mit Beschwerden",
     "# Umgang mit Beschwerden\n\n1. Den Kunden ausreden lassen; das Problem anerkennen.\n2. Für das Erlebnis "
     "entschuldigen, nicht für ungeprüfte Fakten.\n3. Einen konkreten nächsten Schritt mit Zeitpunkt nennen.\n4. "
     "Kulanzgutschein bis **20 €** in Tier 1, darüber mit Supervisor.\n\nEskalieren, wenn der Kunde rechtliche "
     "Schritte oder die Presse erwähnt."),
    ("wifi-setup", "en", "setup,how-to,router", "Connecting a device to Wi-Fi",
     "# Connecting a device to Wi-Fi\n\nFor the app-controlled devices (coffee machine, robot vacuum, washing machine, "
     "printer) on the home WiFi:\n\n1. Put the device in pairing mode: hold **WPS** for 5 seconds until the LED "
     "flashes blue.\n2. Open the app and choose *Add device*.\n3. Only 2.4 GHz networks are supported.\n\nIf the app "
     "does not find the device, switch off mobile data on the phone and try again."),
    ("wifi-setup-de", "de", "setup,how-to,router", "Gerät mit dem WLAN verbinden",
     "# Gerät mit dem WLAN verbinden\n\nFür die Geräte mit App (Kaffeevollautomat, Saugroboter, Waschmaschine, "
     "Drucker) im heimischen WLAN:\n\n1. Gerät in den Kopplungsmodus bringen: **WPS** 5 Sekunden halten, bis die "
     "LED blau blinkt.\n2. App öffnen und *Gerät hinzufügen* wählen.\n3. Nur 2,4-GHz-Netze werden unterstützt.\n\n"
     "Findet die App das Gerät nicht, mobile Daten am Handy ausschalten und erneut versuchen."),
    ("invoice-questions", "en", "billing,invoice", "Invoice questions: copies, amounts and billing address",
     "# Invoice questions: copies, amounts and billing address\n\n## A copy of an invoice\n\nEvery invoice is in the "
     "customer's account under *My invoices* as a PDF. Send a copy from the back office (*Orders > Invoice > "
     "Send again*) when the customer cannot find it.\n\n## The amount looks wrong\n\nAn invoice shows the item "
     "price, shipping and any voucher. Shipping is free from an order value of **50 EUR**; below that it costs "
     "4.95 EUR even during promotions. Explain the lines and attach the breakdown.\n\n## Wrong billing address\n\n"
     "Cancel the invoice and issue a corrected one (*Invoice > Correct address*); the customer finds it under "
     "*My invoices* at once. Never edit the PDF by hand."),
    ("invoice-questions-de", "de", "billing,invoice", "Fragen zur Rechnung: Kopie, Betrag und Rechnungsadresse",
     "# Fragen zur Rechnung: Kopie, Betrag und Rechnungsadresse\n\n## Rechnungskopie\n\nJede Rechnung liegt als PDF "
     "im Kundenkonto unter *Meine Rechnungen*. Findet der Kunde sie nicht, die Rechnung aus dem Backoffice erneut "
     "senden (*Bestellungen > Rechnung > Erneut senden*).\n\n## Rechnungsbetrag stimmt nicht\n\nDie Rechnung zeigt "
     "Artikelpreis, Versandkosten und Gutscheine. Versandkostenfrei ab **50 €** Bestellwert, darunter 4,95 € – "
     "auch während Aktionen. Positionen erklären und die Aufstellung anhängen.\n\n## Falsche Rechnungsadresse\n\n"
     "Rechnung stornieren und korrigiert neu ausstellen (*Rechnung > Adresse korrigieren*); sie erscheint sofort "
     "unter *Meine Rechnungen*. Das PDF nie von Hand ändern."),
    ("double-charge", "en", "billing,payment", "Customer charged twice",
     "# Customer charged twice\n\n1. Compare the payments in the back office with the customer's statement.\n2. A "
     "duplicate capture by the payment provider is voided automatically within **5 working days**; a reserved "
     "amount (not yet booked) disappears by itself.\n3. If both charges are booked, open a refund for the second "
     "one and tell the customer the reference `RF-…`."),
    ("double-charge-de", "de", "billing,payment", "Doppelte Abbuchung",
     "# Doppelte Abbuchung\n\n1. Zahlungen im Backoffice mit dem Kontoauszug des Kunden vergleichen.\n2. Eine doppelte "
     "Buchung des Zahlungsanbieters wird innerhalb von **5 Werktagen** automatisch storniert; eine Vormerkung (noch "
     "nicht gebucht) verschwindet von selbst.\n3. Sind beide Beträge gebucht: Erstattung für die zweite Buchung "
     "anlegen und dem Kunden die Referenz `RF-…` nennen."),
    ("late-delivery", "en", "delivery,delay", "Late deliveries: what we offer",
     "# Late deliveries: what we offer\n\n- Check the order: out of stock, waiting at the warehouse, or with the "
     "carrier?\n- Tell the customer the new shipping date.\n- From **3 days** late, refund the shipping cost as "
     "goodwill; from **10 days**, offer to cancel the order free of charge."),
    ("late-delivery-de", "de", "delivery,delay", "Lieferverzögerung: was wir anbieten",
     "# Lieferverzögerung: was wir anbieten\n\n- Bestellung prüfen: nicht vorrätig, im Lager oder beim "
     "Versanddienstleister?\n- Dem Kunden den neuen Versandtermin nennen.\n- Ab **3 Tagen** Verspätung die "
     "Versandkosten als Kulanz erstatten; ab **10 Tagen** eine kostenlose Stornierung anbieten."),
    ("battery-problems", "en", "battery,warranty", "Battery drains fast or won't charge",
     "# Battery drains fast or won't charge\n\n1. Charge fully once with the **original cable** and charger.\n2. "
     "Install firmware **2.4** from the app: 2.3 has a known battery fault.\n3. Still draining within hours, or "
     "the charging light stays off? Batteries are covered by the 2-year warranty: send a return label."),
    ("battery-problems-de", "de", "battery,warranty", "Akku hält nicht oder lädt nicht",
     "# Akku hält nicht oder lädt nicht\n\n1. Einmal vollständig mit dem **Originalkabel** und Netzteil laden.\n2. "
     "Firmware **2.4** über die App installieren: Version 2.3 hat einen bekannten Akkufehler.\n3. Akku weiterhin "
     "nach Stunden leer oder Ladeanzeige bleibt aus? Der Akku fällt unter die 2 Jahre Garantie: "
     "Rücksendeetikett schicken."),
    ("router-dropouts", "en", "router,connection", "Router keeps losing the connection: internet drops",
     "# Router keeps losing the connection: internet drops\n\n1. Run a line test in the back office: is the sync stable?\n2. "
     "Stable sync, dropouts on Wi-Fi only: switch on automatic channel selection (*Wi-Fi > Channel*).\n3. Install "
     "firmware **7.2**, which fixes dropouts where there are many neighbouring networks.\n4. Unstable sync: book "
     "a technician."),
    ("router-dropouts-de", "de", "router,connection", "Router verliert die Verbindung: Internet bricht ab",
     "# Router verliert die Verbindung: Internet bricht ab\n\n1. Leitungstest im Backoffice: Ist die Synchronisation stabil?\n2. "
     "Sync stabil, Abbrüche nur im WLAN: automatische Kanalwahl einschalten (*WLAN > Funkkanal*).\n3. Firmware "
     "**7.2** installieren; sie behebt Abbrüche bei vielen Nachbarnetzen.\n4. Sync instabil: Techniker "
     "beauftragen."),
    ("delivery-address", "en", "delivery,address", "Changing the delivery address",
     "# Changing the delivery address\n\n- Before the status *handed to carrier*: change the address in the order "
     "yourself.\n- Afterwards: ask the carrier to redirect the parcel (DHL, DPD, Hermes, UPS, GLS all offer it); "
     "the tracking shows the new address within a day.\n- A typo in the street or postcode: confirm the corrected "
     "address with the customer before you change it."),
    ("delivery-address-de", "de", "delivery,address", "Lieferadresse ändern",
     "# Lieferadresse ändern\n\n- Vor dem Status *an Versanddienstleister übergeben*: Adresse in der Bestellung "
     "selbst ändern.\n- Danach: Umleitung beim Versanddienstleister beauftragen (DHL, DPD, Hermes, UPS, GLS); die "
     "Sendungsverfolgung zeigt die neue Lieferadresse innerhalb eines Tages.\n- Tippfehler in Straße oder "
     "Postleitzahl: korrigierte Adresse mit dem Kunden bestätigen, bevor sie geändert wird."),
    ("returns", "en", "returns,refund", "Returns: return any item within 30 days",
     "# Returns: return any item within 30 days\n\nCustomers can return any item within **30 days** of delivery without giving a "
     "reason.\n\n1. Create the return in the back office.\n2. Send the free return label by e-mail.\n3. The refund "
     "is released once the warehouse has checked the item (see *How long does a refund take?*)."),
    ("returns-de", "de", "returns,refund", "Rückgabe innerhalb von 30 Tagen",
     "# Rückgabe innerhalb von 30 Tagen\n\nKunden können jeden Artikel innerhalb von **30 Tagen** nach Lieferung "
     "ohne Angabe von Gründen zurückgeben.\n\n1. Retoure im Backoffice anlegen.\n2. Kostenloses Rücksendeetikett per "
     "E-Mail senden.\n3. Die Erstattung wird nach der Prüfung im Lager freigegeben (siehe *Wie lange dauert eine "
     "Erstattung?*)."),
    ("switch-plan", "en", "contract,plan", "Switching plans",
     "# Switching plans\n\n- A **bigger** plan starts at once.\n- A **smaller** plan starts on the first of the next "
     "month, also during the minimum term.\n- Confirm the date in writing; the price changes on the next bill."),
    ("switch-plan-de", "de", "contract,plan", "Tarifwechsel: in einen anderen Tarif wechseln",
     "# Tarifwechsel: in einen anderen Tarif wechseln\n\n- Ein **größerer** Tarif gilt sofort.\n- Ein **kleinerer** Tarif gilt ab dem nächsten "
     "Monatsersten, auch während der Mindestlaufzeit.\n- Datum schriftlich bestätigen; der neue Preis gilt ab der "
     "nächsten Rechnung."),
    ("vouchers", "en", "voucher,checkout", "Redeeming vouchers",
     "# Redeeming vouchers\n\nA voucher code is not accepted when:\n\n- the order value is below **50 EUR**,\n- the "
     "basket only holds items already on sale,\n- the code has expired or another voucher is already used.\n\nThe "
     "expiry date is in the voucher e-mail. Expired codes can be replaced once as goodwill."),
    ("vouchers-de", "de", "voucher,checkout", "Gutscheine einlösen",
     "# Gutscheine einlösen\n\nEin Gutscheincode wird nicht akzeptiert, wenn:\n\n- der Bestellwert unter **50 €** "
     "liegt,\n- der Warenkorb nur reduzierte Artikel enthält,\n- der Code abgelaufen ist oder schon ein anderer "
     "Gutschein eingelöst wurde.\n\nDas Ablaufdatum steht in der Gutschein-E-Mail. Abgelaufene Codes einmalig aus "
     "Kulanz ersetzen."),
    ("newsletter", "en", "newsletter,account", "Unsubscribing from the newsletter",
     "# Unsubscribing from the newsletter\n\nRemove the address in the back office (*Customer > Marketing*). "
     "Mailings already scheduled may still arrive for up to **48 hours**; tell the customer so."),
    ("newsletter-de", "de", "newsletter,account", "Newsletter abbestellen",
     "# Newsletter abbestellen\n\nAdresse im Backoffice austragen (*Kunde > Marketing*). Bereits geplante "
     "Aussendungen können noch bis zu **48 Stunden** ankommen; das dem Kunden sagen."),
]



def _without_placeholders(template: str) -> str:
    import string

    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if name:
            parts.append("…")
    return "".join(parts).strip()


def _with_customer_phrasing(articles: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    """Each article lists how customers put the requests it answers (the subjects of those requests), so an agent
    who searches with the customer's own words finds it."""
    phrasing: dict[tuple[str, str], list[str]] = {}
    for topic in TOPICS:
        article = ANSWERS[topic.key][1]
        for language in ("de", "en"):
            lines = phrasing.setdefault((localised(article, language), language), [])
            lines += [_without_placeholders(subject) for subject in topic.subjects[language]]
    result = []
    for slug, language, tags, title, body in articles:
        lines = phrasing.get((slug, language))
        if lines:
            heading = "## So schreiben Kunden" if language == "de" else "## How customers put it"
            quote = "„{}“" if language == "de" else "\"{}\""
            body = f"{body}\n\n{heading}\n\n" + "\n".join(f"- {quote.format(line)}" for line in lines)
        result.append((slug, language, tags, title, body))
    return result


KB_BASE = _with_customer_phrasing(KB_BASE)

#: For generated variants: language -> (title template, tags, intro, steps); product placeholders as in
#: ``product_fill``, ``{symptom}`` from SYMPTOMS.
KB_VARIANTS = {
    "en": [
        ("Troubleshooting the {product}: {symptom}", "troubleshooting,{tag}",
         "This guide helps with this problem of the {product}: {symptom}.",
         ["Check the power supply or charging cable.", "Restart the device (switch off, wait 30 seconds, switch on).",
          "Update to the latest firmware in the app.", "Reset to factory settings as a last resort.",
          "Still failing? Open a warranty case and send a return label."]),
        ("Returning the {product}", "returns,{tag}", "How a customer returns the {product} within 30 days.",
         ["Create the return in the back office.", "Send the free return label by e-mail.",
          "Refund is released once the warehouse checks the item."]),
        ("{product}: frequently asked questions", "faq,{tag}", "Answers to the questions we hear most about the "
         "{product}.",
         ["Warranty: 2 years from delivery.", "Spare parts are available for 5 years.",
          "The manual is available as a PDF in the help center."]),
    ],
    "de": [
        ("Fehlerbehebung {product}: {symptom}", "fehlerbehebung,{tag}",
         "Diese Anleitung hilft bei diesem Problem mit {dem_product}: {symptom}.",
         ["Stromversorgung bzw. Ladekabel prüfen.", "Gerät neu starten (ausschalten, 30 Sekunden warten, einschalten).",
          "Neueste Firmware über die App installieren.", "Als letzten Schritt auf Werkseinstellungen zurücksetzen.",
          "Weiterhin defekt? Garantiefall anlegen und Rücksendeetikett senden."]),
        ("Rücksendung {product}", "retoure,{tag}", "So gibt ein Kunde {den_product} innerhalb von 30 Tagen zurück.",
         ["Retoure im Backoffice anlegen.", "Kostenloses Rücksendeetikett per E-Mail senden.",
          "Die Erstattung wird nach der Prüfung im Lager freigegeben."]),
        ("{product}: häufige Fragen", "faq,{tag}", "Antworten auf die häufigsten Fragen zu {dem_product}.",
         ["Garantie: 2 Jahre ab Lieferung.", "Ersatzteile sind 5 Jahre lang erhältlich.",
          "Die Anleitung gibt es als PDF im Hilfe-Center."]),
    ],
}
#: Symptoms for troubleshooting articles: (product kinds it fits, any of; empty: every product), text by language.
SYMPTOMS: list[tuple[frozenset[str], dict[str, str]]] = [
    (frozenset(), {"en": "Won't switch on", "de": "Lässt sich nicht einschalten"}),
    (frozenset({"display"}), {"en": "Error code E104", "de": "Fehlercode E104"}),
    (frozenset({"wifi", "bluetooth", "network"}), {"en": "Loses the connection", "de": "Verliert die Verbindung"}),
    (frozenset({"noisy"}), {"en": "Makes loud noises", "de": "Macht laute Geräusche"}),
    (frozenset({"battery"}), {"en": "Battery drains fast", "de": "Akku schnell leer"}),
    (frozenset({"display"}), {"en": "Display stays dark", "de": "Display bleibt dunkel"}),
]

#: Agents of the demo store: (login, name, role, tier, queues, skills)
DEMO_AGENTS = [
    ("demo", "Demo Agent", "agent", 1, "", "de,en"),
    ("lena", "Lena Hoffmann", "agent", 1, "Billing,General", "de,en"),
    ("tom", "Tom Becker", "agent", 1, "Delivery,General", "de"),
    ("aylin", "Aylin Demir", "agent", 1, "Delivery,Complaints", "de,en,tr"),
    ("marco", "Marco Rossi", "agent", 1, "Technical,General", "en,it"),
    ("priya", "Priya Shah", "agent", 1, "Billing,Technical", "en"),
    ("jonas", "Jonas Weber", "agent", 1, "", "de,en"),
    ("felix", "Felix Wagner", "agent", 2, "Technical", "de,en"),
    ("sofia", "Sofia Novak", "agent", 2, "Billing,Complaints", "de,en,cs"),
    ("david", "David Clarke", "agent", 2, "Delivery,Complaints", "en"),
    ("katrin", "Katrin Schulz", "agent", 3, "Technical,Complaints", "de,en"),
    ("omar", "Omar Haddad", "agent", 3, "Billing,Delivery", "en,de,ar"),
    ("sup", "Sabine Krüger", "supervisor", 3, "", "de,en"),
    ("admin", "Alex Morgan", "admin", 3, "", "en,de"),
]
