"""Word lists the dataset draws from (data.py). Plain data, no logic.

Names are common given and family names; addresses and e-mail domains are reserved example ones, so no generated
record points at a real person or mailbox.
"""

FIRST_NAMES = (
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Elijah", "Sophia", "Mateo", "Amelia", "Lucas", "Isabella", "Levi",
    "Mia", "Ethan", "Harper", "James", "Evelyn", "Aiden", "Abigail", "Leo", "Emily", "Jack", "Ella", "Owen",
    "Chloe", "Samuel", "Grace", "Henry", "Nora", "Wyatt", "Zoe", "Julian", "Layla", "Gabriel", "Riley", "Isaac",
    "Aria", "Caleb", "Lily", "Nathan", "Hannah", "Ryan", "Aurora", "Adrian", "Lucy", "Miles", "Stella", "Amir",
    "Priya", "Hiro", "Fatima", "Diego", "Ingrid", "Kofi", "Mei", "Tomasz", "Aisha", "Rafael", "Yuki", "Omar",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Okafor", "Kowalski", "Tanaka",
    "Lindqvist", "Haddad", "Chen", "Murphy", "O'Brien", "Dubois", "Rossi",
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St", "Lake Rd", "Hill St", "Park Ave",
           "River Rd", "Sunset Blvd", "2nd St", "3rd Ave", "Washington St", "Market St")

CITIES = (("Springfield", "IL", "62701"), ("Riverton", "WY", "82501"), ("Fairview", "OR", "97024"),
          ("Madison", "WI", "53703"), ("Georgetown", "TX", "78626"), ("Salem", "MA", "01970"))

ACCOUNT_NAMES = ("Sandbox Outfitters", "Sandbox Cycles", "Sandbox Books & Games", "Sandbox Home Goods",
                 "Sandbox Sports", "Sandbox Garden Supply")

SHOP_NAMES = ("Downtown", "Warehouse", "Riverside", "Uptown", "Harbor", "Airport", "Old Town", "Mall")

# (parent path, name): parents come before their children. Every leaf has words for item descriptions below.
CATEGORY_TREE = (
    ("", "Apparel"), ("", "Footwear"), ("", "Outdoor"), ("", "Accessories"), ("", "Home"),
    ("Apparel", "Shirts"), ("Apparel", "Jackets"), ("Footwear", "Hiking Boots"), ("Outdoor", "Camping"),
    ("Accessories", "Bags"), ("Home", "Kitchen"), ("Apparel", "Pants"), ("Footwear", "Sandals"),
    ("Outdoor", "Climbing"), ("Accessories", "Hats"), ("Home", "Candles"), ("Apparel", "Socks"),
    ("Outdoor", "Water Bottles"), ("Accessories", "Sunglasses"), ("Footwear", "Running Shoes"),
    ("Apparel/Shirts", "Flannel"), ("Apparel/Jackets", "Rain Shells"), ("Outdoor/Camping", "Tents"),
    ("Outdoor/Camping", "Sleeping Bags"), ("Home/Kitchen", "Mugs"), ("Accessories/Bags", "Backpacks"),
    ("Apparel", "Kids"), ("Outdoor", "Bikes"), ("Home", "Blankets"), ("Accessories", "Gloves"),
)

ITEM_NOUNS = {
    "Apparel": ("Tee", "Hoodie", "Pullover"), "Footwear": ("Shoe", "Slip-On", "Clog"),
    "Outdoor": ("Lantern", "Multi-Tool", "Compass"), "Accessories": ("Belt", "Wallet", "Keychain"),
    "Home": ("Throw Pillow", "Coaster Set", "Picture Frame"), "Shirts": ("Oxford Shirt", "Polo", "Henley"),
    "Jackets": ("Down Jacket", "Fleece Jacket", "Vest"), "Hiking Boots": ("Hiking Boot", "Trail Boot"),
    "Camping": ("Camp Stove", "Camp Chair", "Headlamp"), "Bags": ("Tote", "Duffel", "Sling Bag"),
    "Kitchen": ("Cast Iron Skillet", "Chef Knife", "Cutting Board"), "Pants": ("Chino", "Hiking Pant", "Jogger"),
    "Sandals": ("Sandal", "Flip-Flop"), "Climbing": ("Chalk Bag", "Carabiner", "Harness"),
    "Hats": ("Beanie", "Cap", "Sun Hat"), "Candles": ("Soy Candle", "Pillar Candle"),
    "Socks": ("Wool Sock", "Crew Sock", "Liner Sock"), "Water Bottles": ("Water Bottle", "Tumbler"),
    "Sunglasses": ("Sunglasses", "Polarized Shades"), "Running Shoes": ("Road Runner", "Trail Runner"),
    "Flannel": ("Flannel Shirt", "Flannel Overshirt"), "Rain Shells": ("Rain Shell", "Rain Jacket"),
    "Tents": ("2-Person Tent", "4-Person Tent", "Bivy"), "Sleeping Bags": ("Sleeping Bag", "Quilt"),
    "Mugs": ("Enamel Mug", "Travel Mug"), "Backpacks": ("Daypack", "Backpack"),
    "Kids": ("Kids Tee", "Kids Jacket"), "Bikes": ("Bike Light", "Bike Lock", "Bike Bell"),
    "Blankets": ("Wool Blanket", "Picnic Blanket"), "Gloves": ("Glove", "Mitten"),
}

ADJECTIVES = ("Classic", "Summit", "Alpine", "Coastal", "Trail", "Heritage", "Urban", "Ridge", "Canyon", "Aurora",
              "Timber", "Glacier", "Meadow", "Harbor", "Nomad", "Basecamp", "Drift", "Evergreen")

COLORS = ("Black", "Navy", "Olive", "Rust", "Sand", "Slate", "Forest", "Charcoal", "Red", "Sky")

# Price bands in cents per top-level department: (low, high).
PRICE_BANDS = {"Apparel": (1499, 14999), "Footwear": (3999, 21999), "Outdoor": (999, 49999),
               "Accessories": (599, 8999), "Home": (799, 12999)}

# Sales tax rates per shop (parts per 100000), cycled when there are more shops.
TAX_RATES = (8875, 7250, 6000, 9500, 5300)
