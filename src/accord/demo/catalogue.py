"""The demo retailer's fixed vocabulary: names, places, products, campaigns, ticket texts.

Plain tuples so the generator can pick from them with numpy indexes. Every e-mail domain is
a reserved example domain (RFC 2606 / 6761) so no generated address can reach a real person.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Willow", "Emily", "Ella", "Poppy", "Evie", "Charlotte", "Sienna", "Daisy",
    "Harper", "Sofia", "Alice", "Matilda", "Ruby", "Chloe", "Jessica", "Hannah", "Sarah",
    "Emma", "Laura", "Rebecca", "Niamh", "Aoife", "Siobhan", "Priya", "Aisha", "Fatima",
    "Zara", "Maya", "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar",
    "Archie", "Henry", "Theodore", "Freddie", "Jack", "Charlie", "Thomas", "James", "William",
    "Alfie", "Joshua", "Jacob", "Samuel", "Daniel", "Benjamin", "Lucas", "Ethan", "Adam",
    "David", "Michael", "Robert", "Paul", "Mark", "Andrew", "Liam", "Conor", "Sean", "Ravi",
    "Arjun", "Omar", "Yusuf", "Tomasz",
)

LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Dixon", "Fletcher", "Byrne",
    "O'Brien", "Nowak", "Kowalski",
)

EMAIL_DOMAINS = (
    "example.com", "example.net", "example.org", "mail.example", "post.example",
    "inbox.example", "example.co.uk",
)

#: (city, postcode area, country); the generator weights the first entries more.
CITIES = (
    ("London", "SW", "GB"), ("London", "N", "GB"), ("London", "E", "GB"),
    ("Manchester", "M", "GB"), ("Birmingham", "B", "GB"), ("Leeds", "LS", "GB"),
    ("Glasgow", "G", "GB"), ("Bristol", "BS", "GB"), ("Liverpool", "L", "GB"),
    ("Edinburgh", "EH", "GB"), ("Cardiff", "CF", "GB"), ("Sheffield", "S", "GB"),
    ("Newcastle upon Tyne", "NE", "GB"), ("Nottingham", "NG", "GB"), ("Brighton", "BN", "GB"),
    ("Oxford", "OX", "GB"), ("Cambridge", "CB", "GB"), ("Belfast", "BT", "GB"),
    ("Dublin", "D", "IE"), ("Cork", "T12", "IE"),
)

STREETS = (
    "High Street", "Station Road", "Main Street", "Park Road", "Church Road", "Church Street",
    "London Road", "Victoria Road", "Green Lane", "Manor Road", "Kings Road", "Queens Road",
    "New Road", "Grange Road", "Mill Lane", "Springfield Road", "Chapel Street", "Albert Road",
)

#: (product id, name, category, unit price in GBP).
PRODUCTS = (
    ("SKU-1001", "Linen shirt", "Menswear", 45.0), ("SKU-1002", "Chino trousers", "Menswear", 55.0),
    ("SKU-1003", "Wool jumper", "Menswear", 79.0), ("SKU-1004", "Rain jacket", "Menswear", 120.0),
    ("SKU-1005", "Oxford shirt", "Menswear", 49.0), ("SKU-1006", "Slim jeans", "Menswear", 65.0),
    ("SKU-2001", "Wrap dress", "Womenswear", 85.0), ("SKU-2002", "Silk blouse", "Womenswear", 95.0),
    ("SKU-2003", "Cashmere cardigan", "Womenswear", 159.0),
    ("SKU-2004", "Trench coat", "Womenswear", 210.0),
    ("SKU-2005", "Midi skirt", "Womenswear", 60.0), ("SKU-2006", "Breton top", "Womenswear", 35.0),
    ("SKU-3001", "Leather trainers", "Shoes", 110.0), ("SKU-3002", "Chelsea boots", "Shoes", 145.0),
    ("SKU-3003", "Running shoes", "Shoes", 95.0), ("SKU-3004", "Ballet flats", "Shoes", 55.0),
    ("SKU-3005", "Canvas sneakers", "Shoes", 48.0),
    ("SKU-4001", "Leather belt", "Accessories", 30.0),
    ("SKU-4002", "Wool scarf", "Accessories", 28.0),
    ("SKU-4003", "Tote bag", "Accessories", 40.0),
    ("SKU-4004", "Sunglasses", "Accessories", 75.0),
    ("SKU-4005", "Watch", "Accessories", 180.0),
    ("SKU-5001", "Cotton bedding set", "Home", 89.0), ("SKU-5002", "Bath towels", "Home", 35.0),
    ("SKU-5003", "Scented candle", "Home", 18.0), ("SKU-5004", "Ceramic vase", "Home", 42.0),
    ("SKU-5005", "Throw blanket", "Home", 65.0),
    ("SKU-6001", "Face serum", "Beauty", 32.0), ("SKU-6002", "Hand cream", "Beauty", 12.0),
    ("SKU-6003", "Eau de parfum", "Beauty", 68.0), ("SKU-6004", "Lip balm set", "Beauty", 9.5),
    ("SKU-7001", "Kids raincoat", "Kids", 34.0), ("SKU-7002", "Kids trainers", "Kids", 38.0),
    ("SKU-7003", "Baby bodysuits", "Kids", 16.0), ("SKU-7004", "Kids pyjamas", "Kids", 20.0),
)

#: Product categories in catalogue order.
CATEGORIES = tuple(dict.fromkeys(product[2] for product in PRODUCTS))

#: Promotional campaigns besides the monthly newsletter (``newsletter-YYYY-MM``).
PROMOTIONS = (
    "spring-sale", "summer-sale", "black-friday", "christmas-gifts", "new-season",
    "loyalty-double-points", "winback", "shoes-launch",
)

PAGE_PATHS = (
    "/", "/c/womenswear", "/c/menswear", "/c/shoes", "/c/accessories", "/c/home", "/c/beauty",
    "/c/kids", "/sale", "/search", "/account", "/help/delivery", "/help/returns",
)

#: Service ticket topics and the texts customers write about them. ``{order}``,
#: ``{days}`` and ``{product}`` are filled in per ticket.
TICKET_TEMPLATES: dict[str, tuple[str, ...]] = {
    "delivery": (
        "Hi, my order {order} still hasn't arrived and it's been {days} days. Can you check "
        "where it is?",
        "The tracking for {order} hasn't updated in {days} days. Is it lost?",
        "Courier left my parcel ({order}) outside in the rain, the box was soaked.",
    ),
    "returns": (
        "I sent back the {product} from order {order} {days} days ago and have not had a "
        "refund yet.",
        "How do I return the {product}? It doesn't fit.",
        "My return label for {order} doesn't work at the post office.",
    ),
    "payment": (
        "I was charged twice for order {order}. Please refund the duplicate payment.",
        "My card was declined at checkout but the money left my account.",
        "The discount code did not apply to order {order}.",
    ),
    "product": (
        "The {product} I received is damaged, the stitching came apart after {days} days.",
        "The colour of the {product} is nothing like the photo on the website.",
        "Really happy with the {product}, is it coming back in other sizes?",
    ),
    "account": (
        "I can't log in to my account, the password reset e-mail never arrives.",
        "Please stop sending me marketing e-mails.",
        "I have two accounts with you, can you merge them?",
    ),
}
