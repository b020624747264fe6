"""Built-in word lists for demo data (`flask dev seed`): no external files, no network."""

from __future__ import annotations

FIRST_NAMES = (
    "ada", "alder", "amara", "aspen", "basil", "bea", "birch", "bram", "briar", "cedar",
    "clover", "cora", "dahlia", "dara", "elm", "emil", "esme", "fern", "finn", "flora",
    "hazel", "holly", "ida", "ines", "iris", "ivy", "jonah", "juno", "kai", "kira",
    "laurel", "lena", "linden", "lior", "luca", "mae", "maple", "marlo", "mira", "moss",
    "nadia", "nico", "noor", "oak", "olive", "omar", "orla", "otto", "pia", "quinn",
    "reed", "remy", "rosa", "rowan", "ruth", "sage", "sami", "senna", "sol", "tamsin",
    "teo", "thea", "tove", "uma", "vera", "wren", "yara", "yusuf", "zara", "zeno",
)  # fmt: skip

LAST_NAMES = (
    "abara", "ashdown", "banks", "beck", "bell", "brook", "carver", "chen", "dale", "diaz",
    "eastwood", "ellis", "fairweather", "field", "fischer", "ford", "garcia", "green", "hale",
    "hill", "holm", "ito", "jansen", "kaur", "kim", "lake", "larsen", "lee", "lind", "marsh",
    "meadows", "moreau", "nakamura", "nash", "novak", "okafor", "park", "patel", "pine",
    "quarry", "reyes", "rivers", "rossi", "santos", "shaw", "silva", "stone", "storm", "tanaka",
    "thorne", "vale", "walker", "ward", "weiss", "west", "wood", "yilmaz", "young", "zhou",
)  # fmt: skip

BIO_PHRASES = (
    "Chasing soft light.", "Weekend walker, weekday coder.", "Mostly trees.",
    "Film and phone photos.", "Plants, coffee, long walks.", "Amateur botanist.",
    "Collecting sunsets.", "Slow travel, small towns.", "Bakes bread, grows tomatoes.",
    "Looking up at leaves.", "Rainy-day person.", "Trail notes and snapshots.",
    "City parks are my forests.", "Learning the names of birds.", "Here for the moss.",
)  # fmt: skip

ADJECTIVES = (
    "quiet", "golden", "misty", "early", "late", "soft", "bright", "green", "cold", "warm",
    "lazy", "windy", "slow", "little", "wild", "calm", "rainy", "sunny", "first", "last",
)  # fmt: skip

NOUNS = (
    "morning", "evening", "walk", "light", "garden", "trail", "harbour", "market", "forest",
    "meadow", "river", "rooftop", "balcony", "kitchen", "orchard", "hillside", "bench",
    "sunday", "commute", "picnic", "hike", "shore", "valley", "courtyard", "greenhouse",
)  # fmt: skip

CAPTION_ENDINGS = (
    "", "", "", " again", " with friends", " before the rain", " after work",
    " at last", " on repeat", " for the memory book", ", no filter", " (swipe for more)",
)  # fmt: skip

TAGS = (
    "nature", "photography", "travel", "green", "trees", "forest", "moss", "leaves", "plants",
    "garden", "flowers", "spring", "summer", "autumn", "winter", "rain", "fog", "sunrise",
    "sunset", "goldenhour", "bluehour", "sky", "clouds", "mountains", "hiking", "trail",
    "outdoors", "river", "lake", "sea", "beach", "coast", "islands", "citylife", "streets",
    "architecture", "urbanjungle", "houseplants", "succulents", "ferns", "mushrooms",
    "wildflowers", "botany", "birds", "birdwatching", "bees", "butterflies", "insects",
    "macro", "closeup", "bokeh", "minimal", "colour", "pastel", "blackandwhite", "film",
    "filmcamera", "analog", "mobilephotography", "shotonphone", "landscape", "portrait", "weekend",
    "morning", "coffee", "breakfast", "bakery", "bread", "homegrown", "vegetables", "harvest",
    "orchard", "picnic", "cycling", "running", "camping", "vanlife", "roadtrip", "slowtravel",
    "wanderlust", "explore", "adventure", "hometown", "neighbourhood", "parks", "botanicgarden",
    "greenhouse", "allotment", "compost", "sustainability", "zerowaste", "repair", "handmade",
    "ceramics", "knitting", "sketching", "watercolour", "reading", "books", "library", "music",
    "vinyl", "cats", "dogs", "pets", "horses", "farmlife", "snow", "ice", "frost", "stars",
    "nightsky", "moon", "astro", "waterfall", "canyon", "desert", "dunes", "cactus", "palms",
    "tropical", "jungle", "islandlife", "sailing", "kayak", "surf", "swim", "lighthouse",
    "bridges", "trains", "railway", "tram", "market", "streetfood", "tea", "citrus", "berries",
    "apples", "cherryblossom", "tulips", "sunflowers", "lavender", "roses", "wildlife", "deer",
    "foxes", "owls", "seasons", "dailywalk", "smallthings", "stilllife", "shadows", "light",
)  # fmt: skip

COMMENTS = (
    "Love this!", "So calm.", "Beautiful light.", "Where is this?", "Wow.", "Stunning colours.",
    "This made my day.", "Need to go there.", "Gorgeous.", "Such a mood.", "Great shot!",
    "The colours!", "Saving this one.", "Amazing composition.", "Looks so peaceful.",
    "I miss this place.", "Perfect timing.", "So green!", "Lovely.", "Ooh, which lens?",
    "Dreamy.", "This is art.", "Take me back!", "Brilliant.", "Adorable.", "Yes!",
    "What a day for it.", "Goals.", "So good.", "That light though.",
)  # fmt: skip

# Named colours for the generated images; the names go into the alt text.
PALETTE = (
    ("moss green", (86, 125, 70)),
    ("fern green", (79, 121, 66)),
    ("sage", (178, 190, 160)),
    ("deep teal", (17, 94, 89)),
    ("sky blue", (135, 190, 230)),
    ("dusk blue", (58, 76, 130)),
    ("lavender", (190, 170, 220)),
    ("peach", (250, 200, 160)),
    ("coral", (240, 128, 110)),
    ("amber", (230, 160, 40)),
    ("sand", (225, 205, 165)),
    ("cream", (250, 243, 225)),
    ("rose", (225, 150, 170)),
    ("plum", (110, 60, 100)),
    ("charcoal", (50, 52, 58)),
    ("lime", (190, 220, 90)),
)
