//! The words of the generated templates, per locale. Sentence `i` carries the same
//! placeholders in every language, so translations of one family stay in parity.

pub const LOCALES: [&str; 6] = ["en", "de", "fr", "es", "it", "ja"];

/// Item loop lines; the same placeholders in every language.
pub const ITEM_LINES: usize = 3;
const ITEMS: [&str; ITEM_LINES] = [
    "- **{{ item.title | truncate(40) }}** ({{ item.quantity }} x {{ item.price | money }})",
    "- {{ item.title | truncate(40) }}, SKU {{ item.sku }}",
    "- {{ item.title | truncate(50) }}: {{ item.quantity }}",
];

/// Conditions of `if`/`elif` chains: one list per chain, an `else` may follow.
pub const CONDITIONS: [&[&str]; 5] = [
    &["order.is_prime"],
    &[
        "order.fulfillment_channel == \"AFN\"",
        "order.fulfillment_channel == \"MFN\"",
    ],
    &[
        "order.marketplace == \"Amazon.de\"",
        "order.marketplace == \"Amazon.fr\"",
        "order.marketplace == \"Amazon.it\"",
    ],
    &["order.delivery_date"],
    &["order.tracking_url and not order.is_prime"],
];

/// Notes sellers leave for each other (never shown to buyers).
pub const COMMENTS: [&str; 4] = [
    "wording agreed with the compliance team",
    "keep this paragraph in sync with the listing",
    "SKU notes come from the product data sheet",
    "last checked against the policy in March",
];

pub struct Phrases {
    pub subject: &'static str,
    pub greeting: &'static str,
    pub order_line: &'static str,
    pub review_ask: &'static str,
    pub neutral: [&'static str; 14],
    pub item_lines: [&'static str; ITEM_LINES],
    /// Sentences that break the messaging policy (sentiment, incentives, marketing,
    /// conditional contact, external links, phone numbers).
    pub violations: [&'static str; 6],
    pub regards: &'static str,
    pub footer: &'static str,
}

const REVIEW_LOOP: &str = "\n{% for item in order.items %}\n- [{{ item.title | truncate(60) }}]({{ item.review_url }})\n{% endfor %}";

pub fn phrases() -> [Phrases; 6] {
    [
        Phrases {
            subject: "Your order",
            greeting: "Hello {{ buyer.name | default(\"there\") }},",
            order_line: "thank you for your order {{ order.id }}.",
            review_ask: "Other shoppers rely on honest reviews. You can share your experience with each item here:",
            neutral: [
                "Your parcel travels in a sealed box with a packing slip inside.",
                "The carrier scans the parcel at each depot on its way to you.",
                "Store the product in a dry place away from direct sunlight.",
                "The user manual is in the box and as a PDF on the product page.",
                "Each item ships in recyclable cardboard packaging.",
                "The warranty period starts on the day the order was delivered.",
                "This order was placed on {{ order.purchase_date | date(\"%d %B %Y\") }}.",
                "The order total is {{ order.total | money }}.",
                "Orders placed before noon leave our warehouse on the same working day.",
                "The packing slip shows the quantity of each line.",
                "Batteries are sold separately.",
                "{{ seller.name }} ships from a warehouse in the region of your delivery address.",
                "Assembly takes about twenty minutes with the tools in the box.",
                "Please keep the original packaging for the duration of the warranty.",
            ],
            item_lines: ITEMS,
            violations: [
                "If you are happy with your purchase, please leave us a five-star review.",
                "Use the coupon code SAVE10 on your next order.",
                "If anything went wrong, contact us before you write a review.",
                "Follow us on Instagram for new arrivals.",
                "Visit https://example-shop.com to see the full range.",
                "Call us at +1 555 0100 for help.",
            ],
            regards: "Kind regards,",
            footer: "This message is about your Amazon order.",
        },
        Phrases {
            subject: "Ihre Bestellung",
            greeting: "Guten Tag {{ buyer.name | default(\"\") }},",
            order_line: "vielen Dank für Ihre Bestellung {{ order.id }}.",
            review_ask: "Ihre ehrliche Bewertung hilft anderen Kunden bei der Auswahl. Hier können Sie jeden Artikel bewerten:",
            neutral: [
                "Ihr Paket reist in einem verschlossenen Karton mit beiliegendem Lieferschein.",
                "Der Versanddienstleister scannt das Paket in jedem Depot auf dem Weg zu Ihnen.",
                "Bewahren Sie das Produkt trocken und vor direkter Sonne geschützt auf.",
                "Die Bedienungsanleitung liegt im Karton und steht als PDF auf der Produktseite bereit.",
                "Jeder Artikel wird in recycelbarer Verpackung aus Pappe versendet.",
                "Die Garantiezeit beginnt mit dem Tag der Zustellung.",
                "Diese Bestellung wurde am {{ order.purchase_date | date(\"%d.%m.%Y\") }} aufgegeben.",
                "Der Gesamtbetrag der Bestellung beträgt {{ order.total | money }}.",
                "Bestellungen bis zwölf Uhr verlassen unser Lager am selben Werktag.",
                "Der Lieferschein zeigt die Menge jeder Position.",
                "Batterien sind separat erhältlich.",
                "{{ seller.name }} versendet aus einem Lager in der Region Ihrer Lieferadresse.",
                "Der Aufbau dauert mit dem beiliegenden Werkzeug etwa zwanzig Minuten.",
                "Bitte bewahren Sie die Originalverpackung für die Dauer der Garantie auf.",
            ],
            item_lines: ITEMS,
            violations: [
                "Wenn Sie zufrieden sind, hinterlassen Sie bitte eine 5-Sterne-Bewertung.",
                "Mit dem Gutscheincode SPAR10 sparen Sie bei Ihrer nächsten Bestellung.",
                "Falls etwas nicht stimmt, kontaktieren Sie uns bitte, bevor Sie eine Bewertung schreiben.",
                "Folgen Sie uns auf Instagram für Neuheiten.",
                "Besuchen Sie https://example-shop.de für das ganze Sortiment.",
                "Rufen Sie uns unter +49 30 1234567 an.",
            ],
            regards: "Mit freundlichen Grüßen",
            footer: "Diese Nachricht betrifft Ihre Amazon-Bestellung.",
        },
        Phrases {
            subject: "Votre commande",
            greeting: "Bonjour {{ buyer.name | default(\"\") }},",
            order_line: "nous vous écrivons au sujet de votre commande {{ order.id }}.",
            review_ask: "Les avis aident d'autres clients à choisir. Vous pouvez évaluer chaque article ici :",
            neutral: [
                "Votre colis voyage dans un carton fermé avec un bordereau de livraison.",
                "Le transporteur scanne le colis à chaque dépôt sur le trajet.",
                "Conservez le produit dans un endroit sec, à l'abri du soleil.",
                "Le mode d'emploi se trouve dans le carton et en PDF sur la page du produit.",
                "Chaque article est expédié dans un emballage en carton recyclable.",
                "La période de garantie commence le jour de la livraison.",
                "Cette commande a été passée le {{ order.purchase_date | date(\"%d/%m/%Y\") }}.",
                "Le montant total de la commande est de {{ order.total | money }}.",
                "Les commandes passées avant midi quittent notre entrepôt le jour ouvré même.",
                "Le bordereau indique la quantité de chaque ligne.",
                "Les piles sont vendues séparément.",
                "{{ seller.name }} expédie depuis un entrepôt proche de votre adresse de livraison.",
                "Le montage prend environ vingt minutes avec les outils fournis.",
                "Veuillez conserver l'emballage d'origine pendant la durée de la garantie.",
            ],
            item_lines: ITEMS,
            violations: [
                "Si vous êtes satisfait, laissez-nous un avis cinq étoiles.",
                "Utilisez le code promo SAVE10 pour votre prochaine commande.",
                "En cas de problème, contactez-nous avant de laisser un avis.",
                "Suivez-nous sur Instagram pour découvrir nos nouveautés.",
                "Visitez https://example-shop.fr pour voir toute la gamme.",
                "Appelez-nous au +33 1 23 45 67 89.",
            ],
            regards: "Cordialement,",
            footer: "Ce message concerne votre commande Amazon.",
        },
        Phrases {
            subject: "Su pedido",
            greeting: "Hola {{ buyer.name | default(\"\") }}:",
            order_line: "le escribimos sobre su pedido {{ order.id }}.",
            review_ask: "Las opiniones ayudan a otros clientes a elegir. Puede valorar cada artículo aquí:",
            neutral: [
                "Su paquete viaja en una caja cerrada con el albarán en su interior.",
                "El transportista escanea el paquete en cada depósito del trayecto.",
                "Guarde el producto en un lugar seco y lejos de la luz directa del sol.",
                "El manual de instrucciones está en la caja y en PDF en la página del producto.",
                "Cada artículo se envía en un embalaje de cartón reciclable.",
                "El periodo de garantía empieza el día de la entrega.",
                "Este pedido se realizó el {{ order.purchase_date | date(\"%-d de %B de %Y\") }}.",
                "El importe total del pedido es de {{ order.total | money }}.",
                "Los pedidos realizados antes del mediodía salen de nuestro almacén el mismo día laborable.",
                "El albarán indica la cantidad de cada línea.",
                "Las pilas se venden por separado.",
                "{{ seller.name }} envía desde un almacén cercano a su dirección de entrega.",
                "El montaje lleva unos veinte minutos con las herramientas incluidas.",
                "Conserve el embalaje original durante el periodo de garantía.",
            ],
            item_lines: ITEMS,
            violations: [
                "Si está satisfecho, déjenos una valoración de cinco estrellas.",
                "Use el código promocional AHORRA10 en su próxima compra.",
                "Si algo va mal, contáctenos antes de dejar una opinión.",
                "Síganos en Instagram para ver las novedades.",
                "Visite https://example-shop.es para ver toda la gama.",
                "Llámenos al +34 912 345 678.",
            ],
            regards: "Atentamente,",
            footer: "Este mensaje trata sobre su pedido de Amazon.",
        },
        Phrases {
            subject: "Il suo ordine",
            greeting: "Buongiorno {{ buyer.name | default(\"\") }},",
            order_line: "le scriviamo riguardo all'ordine {{ order.id }}.",
            review_ask: "Le recensioni aiutano altri clienti nella scelta. Può valutare ogni articolo qui:",
            neutral: [
                "Il pacco viaggia in una scatola chiusa con il documento di trasporto all'interno.",
                "Il corriere scansiona il pacco in ogni deposito lungo il tragitto.",
                "Conservi il prodotto in un luogo asciutto, lontano dalla luce diretta del sole.",
                "Il manuale d'uso è nella scatola e in PDF sulla pagina del prodotto.",
                "Ogni articolo viene spedito in un imballaggio di cartone riciclabile.",
                "Il periodo di garanzia inizia il giorno della consegna.",
                "Questo ordine è stato effettuato il {{ order.purchase_date | date(\"%d/%m/%Y\") }}.",
                "L'importo totale dell'ordine è di {{ order.total | money }}.",
                "Gli ordini effettuati prima di mezzogiorno lasciano il nostro magazzino lo stesso giorno lavorativo.",
                "Il documento di trasporto indica la quantità di ogni riga.",
                "Le batterie sono vendute a parte.",
                "{{ seller.name }} spedisce da un magazzino vicino al suo indirizzo di consegna.",
                "Il montaggio richiede circa venti minuti con gli attrezzi inclusi.",
                "Conservi l'imballaggio originale per tutta la durata della garanzia.",
            ],
            item_lines: ITEMS,
            violations: [
                "Se è soddisfatto, ci lasci una recensione a cinque stelle.",
                "Usi il codice sconto RISPARMIA10 sul prossimo acquisto.",
                "Se qualcosa non va, ci contatti prima di lasciare una recensione.",
                "Ci segua su Instagram per le novità.",
                "Visiti https://example-shop.it per vedere tutta la gamma.",
                "Ci chiami al +39 02 1234 5678.",
            ],
            regards: "Cordiali saluti,",
            footer: "Questo messaggio riguarda il suo ordine Amazon.",
        },
        Phrases {
            subject: "ご注文",
            greeting: "{{ buyer.name | default(\"お客様\") }}",
            order_line: "ご注文 {{ order.id }} についてご案内いたします。",
            review_ask: "レビューは他のお客様の商品選びに役立ちます。各商品のレビューはこちらから投稿できます：",
            neutral: [
                "お荷物は納品書を同封した密封箱でお届けします。",
                "配送業者は各拠点で荷物をスキャンします。",
                "製品は直射日光を避け、乾燥した場所で保管してください。",
                "取扱説明書は箱に同梱されており、商品ページでもPDFでご覧いただけます。",
                "各商品はリサイクル可能な段ボールで発送されます。",
                "保証期間はお届け日から始まります。",
                "ご注文日は {{ order.purchase_date | date(\"%Y年%m月%d日\") }} です。",
                "ご注文の合計金額は {{ order.total | money }} です。",
                "正午までのご注文は同日に倉庫から出荷されます。",
                "納品書には各明細の数量が記載されています。",
                "電池は別売りです。",
                "{{ seller.name }} はお届け先に近い倉庫から発送します。",
                "組み立ては付属の工具で約二十分です。",
                "保証期間中は元の梱包材を保管してください。",
            ],
            item_lines: ITEMS,
            violations: [
                "ご満足いただけましたら、星5のレビューをお願いします。",
                "次回のご購入にクーポンコード SAVE10 をご利用ください。",
                "問題がございましたら、レビューの前にご連絡ください。",
                "新商品はInstagramでフォローしてください。",
                "https://example-shop.jp で全商品をご覧ください。",
                "お電話は 03-1234-5678 までどうぞ。",
            ],
            regards: "よろしくお願いいたします。",
            footer: "このご案内はAmazonでのご注文に関するものです。",
        },
    ]
}

/// The review ask followed by the loop of review links.
pub fn review_block(p: &Phrases) -> String {
    format!("{}{REVIEW_LOOP}", p.review_ask)
}
