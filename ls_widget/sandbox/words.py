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

# Shop time zones, cycled: every shop of a small account is in a different zone, so "the day" of a sale depends on
# where it was rung up.
SHOP_TIME_ZONES = ("America/New_York", "America/Los_Angeles", "America/Chicago", "Europe/London",
                   "America/Denver", "Europe/Berlin")

MANUFACTURERS = ("Northpeak", "Bluewater Goods", "Cascade Works", "Fieldstone", "Copperline", "Driftwood Co.",
                 "Summit Supply", "Larkspur")

VENDORS = ("Great Lakes Distribution", "Pacific Outfitters Wholesale", "Midwest Trade Supply", "Atlantic Imports",
           "Mountain West Goods")

# (paymentTypeID, name, type, internalReserved, requireCustomer): Cash and Credit Account as recorded and documented;
# the other types' ``type`` words are the sandbox's.
PAYMENT_TYPES = (("1", "Cash", "cash", "true", "false"), ("2", "Check", "check", "false", "false"),
                 ("3", "Credit Card", "credit card", "true", "false"),
                 ("4", "Credit Account", "credit account", "true", "true"),
                 ("5", "Gift Card", "gift card", "true", "false"),
                 ("6", "Debit Card", "user defined", "false", "false"))

# (discountID, name, percent in 1/100000, amount off in whole dollars): percent discounts and an amount off.
DISCOUNTS = (("1", "10% Off", 10000, 0), ("2", "$5 Off", 0, 5), ("3", "Employee 20%", 20000, 0),
             ("4", "Loyalty 5%", 5000, 0))

TAX_CLASSES = (("1", "Item"), ("2", "Labor"), ("3", "Food"))

CUSTOMER_TYPES = (("1", "Retail", "0"), ("2", "Wholesale", "0"), ("3", "Loyalty", "4"))
