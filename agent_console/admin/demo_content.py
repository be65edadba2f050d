"""Hand-written texts the demo data is built from: case topics with threads, canned responses and KB articles.

Placeholders in ``{braces}`` are filled by the seeder (order numbers, products, amounts, dates, names); canned
response bodies use Jinja placeholders (``{{ customer.first_name }}``) that the console fills when an agent uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRODUCTS = {
    "de": ["Kaffeevollautomat Barista 500", "WLAN-Router NetBox 7", "Staubsaugerroboter CleanBot S2",
           "Smartwatch Pulse 3", "Waschmaschine AquaPro 8", "Bluetooth-Kopfhörer Silence X",
           "E-Bike Urban 28", "Tablet Tab 10 Pro", "Drucker LaserJet M40", "Mobilfunkvertrag Flex M"],
    "en": ["Barista 500 coffee machine", "NetBox 7 Wi-Fi router", "CleanBot S2 robot vacuum", "Pulse 3 smartwatch",
           "AquaPro 8 washing machine", "Silence X Bluetooth headphones", "Urban 28 e-bike", "Tab 10 Pro tablet",
           "LaserJet M40 printer", "Flex M mobile plan"],
}

PLANS = {"de": ["Mobilfunkvertrag Flex M", "DSL-Tarif Home 100", "Streaming-Abo Plus", "Mobilfunkvertrag Max L"],
         "en": ["Flex M mobile plan", "Home 100 broadband plan", "Streaming Plus subscription", "Max L mobile plan"]}

CARRIERS = ["DHL", "DPD", "Hermes", "UPS", "GLS"]


@dataclass(frozen=True)
class Topic:
    key: str
    queue: str
    tags: tuple[str, ...]
    #: language -> subject templates
    subjects: dict[str, list[str]]
    #: language -> the customer's first message
    openers: dict[str, list[str]]
    #: language -> the agent's first reply
    replies: dict[str, list[str]]
    #: language -> the customer writing again
    followups: dict[str, list[str]] = field(default_factory=dict)
    #: language -> internal notes
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: how often the topic comes up, relative
    weight: int = 10


TOPICS: list[Topic] = [
    Topic(
        "invoice", "Billing", ("invoice", "billing"),
        {"de": ["Frage zur Rechnung {invoice}", "Rechnung {invoice} nicht nachvollziehbar",
                "Rechnungskopie für Bestellung {order} benötigt"],
         "en": ["Question about invoice {invoice}", "Invoice {invoice} does not add up",
                "Need a copy of the invoice for order {order}"]},
        {"de": ["Guten Tag,\n\nauf meiner Rechnung {invoice} wird ein Betrag von {amount} berechnet, ich hatte aber "
                "mit weniger gerechnet. Können Sie mir die Positionen erklären?\n\nViele Grüße\n{customer}",
                "Hallo,\n\nich brauche für meine Steuererklärung eine Kopie der Rechnung zu Bestellung {order}. "
                "Im Kundenkonto finde ich sie leider nicht.\n\nDanke und Gruß\n{customer}",
                "Sehr geehrte Damen und Herren,\n\nauf der Rechnung {invoice} steht noch meine alte Adresse. "
                "Bitte stellen Sie die Rechnung neu aus.\n\nMit freundlichen Grüßen\n{customer}"],
         "en": ["Hello,\n\nmy invoice {invoice} charges {amount}, which is more than I expected. Could you explain "
                "the line items?\n\nThanks,\n{customer}",
                "Hi,\n\nI need a copy of the invoice for order {order} for my accounts. I can't find it in my "
                "account.\n\nBest regards,\n{customer}",
                "Dear team,\n\ninvoice {invoice} still shows my old address. Please reissue it.\n\n"
                "Kind regards,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nvielen Dank für Ihre Nachricht. Der Betrag setzt sich aus dem Artikelpreis "
                "und den Versandkosten zusammen; die Aufstellung habe ich Ihnen als PDF angehängt.\n\n"
                "Freundliche Grüße\n{agent}",
                "Hallo {first_name},\n\ndie korrigierte Rechnung {invoice} finden Sie ab sofort in Ihrem "
                "Kundenkonto unter „Meine Rechnungen“.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for getting in touch. The amount is the item price plus shipping; I have "
                "attached the breakdown as a PDF.\n\nBest regards,\n{agent}",
                "Hi {first_name},\n\nthe corrected invoice {invoice} is now available in your account under "
                "\"My invoices\".\n\nKind regards,\n{agent}"]},
        {"de": ["Danke, aber die Versandkosten waren doch laut Aktion kostenlos?",
                "Die neue Rechnung zeigt immer noch die alte Adresse."],
         "en": ["Thanks, but shipping was supposed to be free under the promotion?",
                "The new invoice still shows the old address."]},
        {"de": ["Rechnung in SAP geprüft, Versandkostenaktion greift erst ab 50 €."],
         "en": ["Checked the invoice in SAP; the free-shipping promotion starts at 50 EUR."]},
        weight=14,
    ),
    Topic(
        "refund", "Billing", ("refund", "billing"),
        {"de": ["Erstattung für Bestellung {order}", "Wann kommt meine Rückerstattung?",
                "Geld für Retoure {order} noch nicht erhalten"],
         "en": ["Refund for order {order}", "When will I get my refund?", "Return {order}: no refund yet"]},
        {"de": ["Hallo,\n\nich habe den {product} vor zwei Wochen zurückgeschickt (Bestellung {order}), das Geld "
                "ist aber noch nicht auf meinem Konto.\n\nGruß\n{customer}",
                "Guten Tag,\n\nbitte erstatten Sie mir die {amount} für die stornierte Bestellung {order}.\n\n"
                "Danke\n{customer}"],
         "en": ["Hello,\n\nI sent the {product} back two weeks ago (order {order}) but the money has not reached "
                "my account yet.\n\nRegards,\n{customer}",
                "Hi,\n\nplease refund the {amount} for the cancelled order {order}.\n\nThanks,\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nIhre Retoure ist bei uns eingegangen. Die Erstattung über {amount} habe "
                "ich soeben angewiesen; je nach Bank dauert die Gutschrift 3–5 Werktage.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nyour return has arrived. I have just issued the refund of {amount}; depending "
                "on your bank it takes 3–5 working days to show.\n\nBest regards,\n{agent}"]},
        {"de": ["Die Gutschrift ist immer noch nicht da. Können Sie das bitte prüfen?"],
         "en": ["The refund still hasn't arrived. Could you please check?"]},
        {"de": ["Erstattung in der Buchhaltung angestoßen, Referenz RF-{ref}."],
         "en": ["Refund triggered in accounting, reference RF-{ref}."]},
        weight=12,
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
        {}, {"de": ["Doppelbuchung beim Zahlungsanbieter bestätigt."],
             "en": ["Payment provider confirmed the duplicate capture."]},
        weight=5,
    ),
    Topic(
        "delivery-status", "Delivery", ("delivery", "tracking"),
        {"de": ["Wo ist meine Bestellung {order}?", "Lieferstatus Bestellung {order}",
                "Sendungsverfolgung zeigt keine Bewegung"],
         "en": ["Where is my order {order}?", "Delivery status of order {order}", "Tracking hasn't moved"]},
        {"de": ["Hallo,\n\nich habe am {date} den {product} bestellt (Bestellung {order}). Laut "
                "Sendungsverfolgung liegt das Paket seit Tagen bei {carrier}. Wann kommt es an?\n\n{customer}",
                "Hi, wann wird meine Bestellung {order} geliefert? Ich bin nächste Woche im Urlaub."],
         "en": ["Hello,\n\nI ordered the {product} on {date} (order {order}). Tracking says the parcel has been "
                "with {carrier} for days. When will it arrive?\n\n{customer}",
                "Hi, when will order {order} be delivered? I'm away on holiday next week."]},
        {"de": ["Hallo {first_name},\n\nIhr Paket ist im Verteilzentrum von {carrier} und wird voraussichtlich "
                "morgen zugestellt. Die Sendungsnummer lautet {tracking}.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nyour parcel is at the {carrier} depot and should be delivered tomorrow. The "
                "tracking number is {tracking}.\n\nBest regards,\n{agent}"]},
        {"de": ["Das Paket ist heute wieder nicht gekommen."], "en": ["The parcel didn't come today either."]},
        {"de": ["Bei {carrier} Nachforschungsauftrag gestellt."], "en": ["Opened a trace request with {carrier}."]},
        weight=16,
    ),
    Topic(
        "late-delivery", "Delivery", ("delivery", "delay"),
        {"de": ["Lieferung seit einer Woche überfällig", "Liefertermin {date} nicht eingehalten"],
         "en": ["Delivery a week overdue", "Delivery date {date} missed"]},
        {"de": ["Guten Tag,\n\nmir wurde die Lieferung für den {date} zugesagt, bis heute ist nichts gekommen. "
                "Ich erwarte eine Lösung.\n\n{customer}"],
         "en": ["Hello,\n\nyou promised delivery by {date} and nothing has arrived. I expect a solution.\n\n"
                "{customer}"]},
        {"de": ["Hallo {first_name},\n\nes tut mir leid, dass sich die Lieferung verzögert. Der {product} war "
                "kurzfristig nicht lieferbar; er wird am {date} versendet. Als Entschuldigung erstatten wir Ihnen "
                "die Versandkosten.\n\nFreundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nI'm sorry about the delay. The {product} was briefly out of stock; it ships on "
                "{date}. As an apology we are refunding the shipping cost.\n\nKind regards,\n{agent}"]},
        {"de": ["Das ist schon die zweite Verschiebung!"], "en": ["That's the second time it has been moved!"]},
        {}, weight=8,
    ),
    Topic(
        "damaged-parcel", "Delivery", ("delivery", "damage"),
        {"de": ["Paket beschädigt angekommen", "{product} mit Transportschaden"],
         "en": ["Parcel arrived damaged", "{product} damaged in transit"]},
        {"de": ["Hallo,\n\nder Karton war eingedrückt und der {product} hat einen Riss im Gehäuse. Fotos habe "
                "ich angehängt.\n\n{customer}"],
         "en": ["Hello,\n\nthe box was crushed and the {product} has a crack in the housing. Photos attached.\n\n"
                "{customer}"]},
        {"de": ["Hallo {first_name},\n\ndanke für die Fotos. Ich habe Ihnen ein kostenloses Rücksendeetikett "
                "geschickt; sobald das Gerät bei uns ist, geht der Ersatz raus.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for the photos. I've emailed you a free return label; the replacement "
                "ships as soon as the unit is back with us.\n\nBest regards,\n{agent}"]},
        {}, {"de": ["Transportschaden bei {carrier} gemeldet."], "en": ["Damage claim filed with {carrier}."]},
        weight=6,
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
        {}, {}, weight=5,
    ),
    Topic(
        "defect", "Technical", ("defect", "warranty"),
        {"de": ["{product} funktioniert nicht mehr", "Defekt nach drei Wochen: {product}",
                "Garantiefall {product}"],
         "en": ["{product} stopped working", "{product} broke after three weeks", "Warranty claim: {product}"]},
        {"de": ["Hallo,\n\nmein {product} lässt sich seit gestern nicht mehr einschalten. Ich habe ihn am {date} "
                "gekauft (Bestellung {order}). Was kann ich tun?\n\n{customer}",
                "Guten Tag, der {product} zeigt Fehlercode E{ref3} an und bleibt dann stehen."],
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
        weight=14,
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
        {"de": ["Einrichtung {product}", "Wie verbinde ich den {product} mit dem WLAN?"],
         "en": ["Setting up the {product}", "How do I connect the {product} to Wi-Fi?"]},
        {"de": ["Hallo, ich bekomme den {product} nicht mit meinem WLAN verbunden. Die App findet das Gerät "
                "nicht."],
         "en": ["Hi, I can't get the {product} onto my Wi-Fi. The app doesn't find the device."]},
        {"de": ["Hallo {first_name},\n\nhalten Sie die WPS-Taste 5 Sekunden gedrückt, bis die LED blau blinkt, und "
                "starten Sie dann die Suche in der App. Eine Anleitung finden Sie in unserer Wissensdatenbank.\n\n"
                "Viele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nhold the WPS button for 5 seconds until the LED flashes blue, then start the "
                "search in the app. There is a step-by-step guide in our help center.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=7,
    ),
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
        {"de": ["Kundin sehr verärgert, Kulanzgutschein 20 € angeboten."],
         "en": ["Customer very upset; offered a 20 EUR goodwill voucher."]},
        weight=6,
    ),
    Topic(
        "complaint-quality", "Complaints", ("complaint", "quality"),
        {"de": ["Qualität des {product} enttäuschend", "Reklamation {product}"],
         "en": ["Disappointed with the quality of the {product}", "Complaint: {product}"]},
        {"de": ["Hallo,\n\nfür {amount} hätte ich mehr erwartet. Der {product} wirkt billig verarbeitet und "
                "macht laute Geräusche. Ich möchte ihn zurückgeben.\n\n{customer}"],
         "en": ["Hello,\n\nfor {amount} I expected more. The {product} feels cheaply made and is noisy. I want to "
                "return it.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\ndanke für Ihre offene Rückmeldung. Sie können den {product} innerhalb von "
                "30 Tagen kostenlos zurückgeben; das Etikett ist unterwegs.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nthanks for the honest feedback. You can return the {product} free of charge "
                "within 30 days; the label is on its way.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=5,
    ),
    Topic(
        "opening-hours", "General", ("opening-hours", "store"),
        {"de": ["Öffnungszeiten an Feiertagen", "Wann hat die Filiale {city} geöffnet?"],
         "en": ["Opening hours on public holidays", "When is the {city} store open?"]},
        {"de": ["Hallo, hat Ihre Filiale in {city} am Samstag geöffnet?"],
         "en": ["Hi, is your {city} store open on Saturday?"]},
        {"de": ["Hallo {first_name},\n\nunsere Filiale in {city} hat Mo–Fr 9–19 Uhr und Sa 9–16 Uhr geöffnet; an "
                "Feiertagen bleibt sie geschlossen.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nour {city} store is open Mon–Fri 9 am–7 pm and Sat 9 am–4 pm; it is closed on "
                "public holidays.\n\nBest regards,\n{agent}"]},
        {}, {}, weight=6,
    ),
    Topic(
        "contract", "General", ("contract", "account"),
        {"de": ["Vertrag kündigen", "Tarifwechsel {plan}", "Kündigungsbestätigung fehlt"],
         "en": ["Cancel my contract", "Switch plan: {plan}", "No cancellation confirmation"]},
        {"de": ["Hallo,\n\nich möchte meinen Vertrag ({plan}) zum nächstmöglichen Termin kündigen. Bitte "
                "bestätigen Sie mir das Datum.\n\n{customer}"],
         "en": ["Hello,\n\nI'd like to cancel my contract ({plan}) at the earliest possible date. Please confirm "
                "the date.\n\n{customer}"]},
        {"de": ["Hallo {first_name},\n\nIhre Kündigung ist eingegangen und wird zum {date} wirksam. Die "
                "Bestätigung erhalten Sie zusätzlich per Post.\n\nFreundliche Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nwe have received your cancellation; it takes effect on {date}. You will also "
                "get a confirmation by post.\n\nKind regards,\n{agent}"]},
        {}, {"de": ["Rückgewinnungsangebot abgelehnt."], "en": ["Declined the retention offer."]},
        weight=6,
    ),
    Topic(
        "general", "General", ("question",),
        {"de": ["Frage zu Bestellung {order}", "Gutschein einlösen", "Newsletter abbestellen"],
         "en": ["Question about order {order}", "Redeeming a voucher", "Unsubscribe from newsletter"]},
        {"de": ["Hallo, mein Gutscheincode wird im Warenkorb nicht akzeptiert. Woran liegt das?",
                "Bitte tragen Sie mich aus dem Newsletter aus, die Abmeldung im Link funktioniert nicht."],
         "en": ["Hi, my voucher code isn't accepted at checkout. Why is that?",
                "Please take me off the newsletter, the unsubscribe link doesn't work."]},
        {"de": ["Hallo {first_name},\n\nich habe das für Sie erledigt. Melden Sie sich gern, wenn noch etwas "
                "offen ist.\n\nViele Grüße\n{agent}"],
         "en": ["Hi {first_name},\n\nI've taken care of that for you. Let me know if anything else comes up.\n\n"
                "Best regards,\n{agent}"]},
        {}, {}, weight=6,
    ),
]

#: Short customer messages that fit any topic.
THANKS = {"de": ["Vielen Dank, das hat geholfen!", "Super, danke für die schnelle Hilfe.", "Alles klar, danke."],
          "en": ["Thank you, that solved it!", "Great, thanks for the quick help.", "All good now, thanks."]}
PENDING_ASK = {
    "de": ["Hallo {first_name},\n\ndamit ich weiterhelfen kann: Können Sie mir bitte die Bestellnummer und ein "
           "Foto des Typenschilds schicken?\n\nViele Grüße\n{agent}",
           "Hallo {first_name},\n\nkönnen Sie mir bitte kurz bestätigen, ob das Problem nach dem Neustart weiterhin "
           "besteht?\n\nGruß\n{agent}"],
    "en": ["Hi {first_name},\n\nso I can help: could you send me the order number and a photo of the type plate?"
           "\n\nBest regards,\n{agent}",
           "Hi {first_name},\n\ncould you confirm whether the problem persists after the restart?\n\nThanks,\n{agent}"],
}
CLOSING = {
    "de": ["Hallo {first_name},\n\nich schließe den Vorgang {key} jetzt ab. Wenn Sie noch Fragen haben, antworten "
           "Sie einfach auf diese Nachricht.\n\nViele Grüße\n{agent}"],
    "en": ["Hi {first_name},\n\nI'm closing case {key} now. If anything else comes up, just reply to this message."
           "\n\nBest regards,\n{agent}"],
}
GENERIC_NOTES = {
    "de": ["Kunde telefonisch erreicht, Lösung besprochen.", "Rückruf für morgen vormittag vereinbart.",
           "Bitte auf Antwort des Kunden warten."],
    "en": ["Reached the customer by phone, discussed the fix.", "Call back agreed for tomorrow morning.",
           "Waiting for the customer's answer."],
}
ESCALATION_REASONS = [
    "needs a technician's assessment", "refund above tier-1 limit", "customer requests a supervisor",
    "repeated contact without resolution", "possible fraud on the payment", "legal threat in the complaint",
    "SLA breached twice",
]
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
    ("refund-times-de", "de", "billing,refund", "Wie lange dauert eine Erstattung?",
     "# Wie lange dauert eine Erstattung?\n\nSobald eine Retoure im Lager ist, wird sie innerhalb von **2 "
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
    ("warranty-claims", "en", "warranty,defect", "Warranty and defects",
     "# Warranty and defects\n\nAll devices carry a **2-year warranty** from the delivery date.\n\n## First steps\n\n"
     "- Restart: unplug for 30 seconds.\n- Check the firmware version in the device menu; 2.3 has a known fault "
     "(error code E104) fixed by updating to 2.4.\n\n## Return for repair\n\nIf the fault persists, send a return "
     "label. Repairs take about 10 working days; a replacement is offered when a repair is not possible."),
    ("warranty-claims-de", "de", "warranty,defect", "Garantie und Defekte",
     "# Garantie und Defekte\n\nAlle Geräte haben **2 Jahre Garantie** ab Lieferdatum.\n\n## Erste Schritte\n\n- "
     "Neustart: 30 Sekunden vom Strom trennen.\n- Firmware-Version im Gerätemenü prüfen; Version 2.3 hat einen "
     "bekannten Fehler (Fehlercode E104), behoben mit dem Update auf 2.4.\n\n## Einsenden zur Reparatur\n\nBesteht "
     "der Fehler weiter, Rücksendeetikett schicken. Eine Reparatur dauert etwa 10 Werktage; ist sie nicht möglich, "
     "bieten wir Ersatz an."),
    ("password-reset", "en", "account,login", "Password reset does not arrive",
     "# Password reset does not arrive\n\n1. Confirm the e-mail address on the account.\n2. Ask the customer to "
     "check the spam folder.\n3. Send a new link from the back office; links expire after **24 hours**.\n4. If the "
     "address bounces, verify the customer's identity by phone before changing it."),
    ("password-reset-de", "de", "account,login", "E-Mail zum Zurücksetzen kommt nicht an",
     "# E-Mail zum Zurücksetzen kommt nicht an\n\n1. E-Mail-Adresse im Konto bestätigen.\n2. Kunden bitten, den "
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
     "# Connecting a device to Wi-Fi\n\n1. Put the device in pairing mode: hold **WPS** for 5 seconds until the LED "
     "flashes blue.\n2. Open the app and choose *Add device*.\n3. Only 2.4 GHz networks are supported.\n\nIf the app "
     "does not find the device, switch off mobile data on the phone and try again."),
    ("wifi-setup-de", "de", "setup,how-to,router", "Gerät mit dem WLAN verbinden",
     "# Gerät mit dem WLAN verbinden\n\n1. Gerät in den Kopplungsmodus bringen: **WPS** 5 Sekunden halten, bis die "
     "LED blau blinkt.\n2. App öffnen und *Gerät hinzufügen* wählen.\n3. Nur 2,4-GHz-Netze werden unterstützt.\n\n"
     "Findet die App das Gerät nicht, mobile Daten am Handy ausschalten und erneut versuchen."),
]

#: For generated variants: (language, title template, tags, intro, steps)
KB_VARIANTS = {
    "en": [
        ("Troubleshooting the {product}: {symptom}", "troubleshooting,{tag}",
         "This guide helps when the {product} {symptom_lower}.",
         ["Check the power supply and cables.", "Restart the device (unplug for 30 seconds).",
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
         "Diese Anleitung hilft, wenn der {product} {symptom_lower}.",
         ["Stromversorgung und Kabel prüfen.", "Gerät neu starten (30 Sekunden vom Strom trennen).",
          "Neueste Firmware über die App installieren.", "Als letzten Schritt auf Werkseinstellungen zurücksetzen.",
          "Weiterhin defekt? Garantiefall anlegen und Rücksendeetikett senden."]),
        ("Rücksendung {product}", "retoure,{tag}", "So gibt ein Kunde den {product} innerhalb von 30 Tagen zurück.",
         ["Retoure im Backoffice anlegen.", "Kostenloses Rücksendeetikett per E-Mail senden.",
          "Die Erstattung wird nach der Prüfung im Lager freigegeben."]),
        ("{product}: häufige Fragen", "faq,{tag}", "Antworten auf die häufigsten Fragen zum {product}.",
         ["Garantie: 2 Jahre ab Lieferung.", "Ersatzteile sind 5 Jahre lang erhältlich.",
          "Die Anleitung gibt es als PDF im Hilfe-Center."]),
    ],
}
SYMPTOMS = {
    "en": ["Won't switch on", "Error code E104", "Loses the connection", "Makes loud noises", "Battery drains fast",
           "Display stays dark"],
    "de": ["Lässt sich nicht einschalten", "Fehlercode E104", "Verliert die Verbindung", "Macht laute Geräusche",
           "Akku schnell leer", "Display bleibt dunkel"],
}

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
