/*
 * Vocabularies and templates of the three generator profiles.  All text is
 * this project's own; names of people are common given and family names.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gen/vocab.h"

const char *const crmw__first_names[] = {
	"Ava", "Liam", "Mia", "Noah", "Zoe", "Ethan", "Lena", "Omar", "Iris", "Mateo", "Nora", "Kai",
	"Priya", "Jonas", "Sofia", "Ravi", "Elena", "Marcus", "Hana", "Diego", "Grace", "Tomas", "Aisha",
	"Felix", "Yuki", "Owen", "Leila", "Samuel", "Chloe", "Andre", "Maya", "Victor", "Nadia", "Lucas",
	"Esme", "Hugo", "Amara", "Rohan", "Clara", "Idris", "Freya", "Malik", "Ines", "Theo", "Luz",
	"Bruno", "Alma", "Caleb", "Dara", "Emil", "Hannah", "James", "Olivia", "Daniel", "Ruth", "Peter",
	"Julia", "Aaron", "Megan", "Kevin", "Laura", "Simon", "Rachel", "Adam", "Fatima", "Yusuf", "Mei",
	"Wei", "Anil", "Kavya", "Arjun", "Chiara", "Marco", "Greta", "Lars", "Ingrid", "Oskar", "Camille",
	"Louis", "Beatriz", "Rafael", "Carmen", "Pablo", "Zara", "Tariq", "Naomi", "Isaac", "Joy", "Femi",
	"Ada", "Kwame", "Ayumi", "Haruto", "Soo-ah", "Min-jun", "Anna", "Erik", "Paula", "Jorge", "Helen",
	"Mark", "Diana", "Paul", "Sara", "Ben", "Lucy", "Nathan", "Elise", "Gabriel", "Irene", "Kofi",
	"Selin", "Emre", "Vera", "Dmitri",
};
const size_t crmw__n_first_names = CRMW_ARRAY_LEN(crmw__first_names);

const char *const crmw__last_names[] = {
	"Nguyen", "Garcia", "Smith", "Patel", "Kim", "Okafor", "Rossi", "Muller", "Silva", "Cohen",
	"Tanaka", "Ivanova", "Brown", "Haddad", "Larsen", "Moreau", "Singh", "Lopez", "Walsh", "Novak",
	"Fischer", "Reyes", "Chen", "Adeyemi", "Bianchi", "Kowalski", "Dubois", "Sato", "Mensah", "Ortiz",
	"Hughes", "Lindqvist", "Ahmed", "Costa", "Schmidt", "Park", "Murphy", "Varga", "Ito", "Hansen",
	"Johnson", "Williams", "Martin", "Anderson", "Thompson", "Clark", "Lewis", "Young", "Wright", "Turner",
	"Campbell", "Mitchell", "Carter", "Rivera", "Flores", "Morales", "Gomez", "Herrera", "Castillo", "Romero",
	"Yamamoto", "Suzuki", "Watanabe", "Nakamura", "Lee", "Choi", "Wong", "Zhang", "Liu", "Huang", "Das",
	"Rao", "Iyer", "Mehta", "Shah", "Khan", "Hussain", "Ali", "Demir", "Yilmaz", "Kaya", "Petrov", "Popescu",
	"Horvath", "Nowak", "Jansen", "Visser", "Bakker", "Berg", "Nilsson", "Eriksen", "Virtanen", "Byrne",
	"Kelly", "Ryan", "Brennan", "Fernandes", "Pereira", "Santos", "Oliveira", "Mwangi", "Otieno", "Abebe",
	"Diallo", "Traore", "Boateng",
};
const size_t crmw__n_last_names = CRMW_ARRAY_LEN(crmw__last_names);

const crmw_state crmw__states[] = {
	{"CA", "Los Angeles"}, {"NY", "Brooklyn"}, {"TX", "Austin"}, {"FL", "Miami"}, {"WA", "Seattle"},
	{"IL", "Chicago"}, {"MA", "Boston"}, {"CO", "Denver"}, {"GA", "Atlanta"}, {"AZ", "Phoenix"},
	{"OR", "Portland"}, {"NC", "Charlotte"}, {"MN", "Minneapolis"}, {"PA", "Philadelphia"},
	{"MI", "Detroit"}, {"NV", "Las Vegas"}, {"OH", "Columbus"}, {"WI", "Milwaukee"}, {"NJ", "Newark"},
	{"UT", "Salt Lake City"}, {"TN", "Nashville"}, {"MO", "St. Louis"}, {"SC", "Charleston"}, {"IN", "Indianapolis"},
};
const size_t crmw__n_states = CRMW_ARRAY_LEN(crmw__states);

/* ----------------------------------------------------- shared fact forms */

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PER_NOUN(...) ((const char *const *const[]){__VA_ARGS__})

#define Q_WEIGHT "[How much does the {product} weigh?|What is the weight of the {product}?|How heavy is the {product}?|What does the {product} weigh?]"
#define Q_COLOURS "[Which colours does the {product} come in?|What colours can I get the {product} in?|Is the {product} available in other colours?|What colour options are there for the {product}?]"
#define Q_SIZES "[Which sizes does the {product} come in?|What sizes are available for the {product}?|Does the {product} come in my size? Which sizes are there?|What is the size range of the {product}?]"
#define Q_CARE "[How do I clean the {product}?|How should I care for the {product}?|What is the best way to look after the {product}?|How do I keep the {product} in good shape?]"
#define Q_FOR "[Who is the {product} made for?|What kind of use is the {product} designed for?|Is the {product} right for me? What is it meant for?|What is the {product} best suited to?]"
#define Q_GUARANTEE "[How long is the {product} guaranteed?|What guarantee comes with the {product}?|For how many months is the {product} covered against manufacturing faults?|If the {product} breaks, how long am I covered?]"
/* Values drawn from disjoint groups, so that they rarely repeat between articles. */
#define V_COLOURS "[black|charcoal|navy|slate|graphite], [red|coral|orange|rust|burgundy] and [white|sand|ivory|mint|sky blue]"
#define V_LETTER_SIZES "[XXS|XS|S|M] to [L|XL|XXL|3XL]"
#define V_CARE_WASH "[machine wash it|hand wash it|wash it inside out] at [20|30|40] degrees and [hang it to dry|dry it flat|tumble dry it on low]"
#define F_COLOURS {"The {product} comes in {v}.", Q_COLOURS, "{v}", V_COLOURS, 0, 0, 0}
#define F_GUARANTEE {"The {product} is guaranteed for {v} months against manufacturing faults.", Q_GUARANTEE, "{v} months", NULL, 12, 60, 12}
#define F_END {NULL, NULL, NULL, NULL, 0, 0, 0}

/* ------------------------------------------------------------ crmarena */

static const crmw_fact shoe_facts[] = {
	{"The {product} weighs {v} grams per shoe.", Q_WEIGHT, "{v} grams per shoe", NULL, 180, 420, 5},
	{"The {product} is made in sizes {v}.", Q_SIZES, "{v}", "[US [3|4|5|6|7] to [10|11|12|13|14]|EU [35|36|37|38] to [44|45|46|47|48]]", 0, 0, 0},
	F_COLOURS,
	{"To care for the {product}, {v}.", Q_CARE, "{v}",
	 "[wipe it with a damp cloth|brush off the dirt|rinse it in cold water|take out the insoles] and [let it air dry for [12|24|36] hours|dry it at room temperature, away from heaters|stuff it with paper to dry overnight]", 0, 0, 0},
	F_END,
};
static const crmw_fact outer_facts[] = {
	{"The {product} weighs {v} grams in size M.", Q_WEIGHT, "{v} grams in size M", NULL, 150, 1200, 10},
	{"The {product} is made in sizes {v}.", Q_SIZES, "{v}", V_LETTER_SIZES, 0, 0, 0},
	F_COLOURS,
	{"To care for the {product}, {v}.", Q_CARE, "{v}",
	 "[close every zip and |use a technical wash and |]" V_CARE_WASH, 0, 0, 0},
	F_END,
};
static const crmw_fact apparel_facts[] = {
	{"The {product} is made of {v}.", "[What is the {product} made of?|What fabric is the {product}?|Which material is the {product} made from?|What is the fabric content of the {product}?]", "{v}",
	 "[7|8|9][2|4|6|8]% [recycled polyester|nylon|polyamide|organic cotton|lyocell] with [elastane|spandex|merino wool|mesh panels] for the rest", 0, 0, 0},
	{"The {product} is made in sizes {v}.", Q_SIZES, "{v}", V_LETTER_SIZES, 0, 0, 0},
	F_COLOURS,
	{"To care for the {product}, {v}.", Q_CARE, "{v}", V_CARE_WASH, 0, 0, 0},
	F_END,
};
#define F_GEAR_CARE {"To care for the {product}, {v}.", Q_CARE, "{v}", "[wipe it with a damp cloth|rinse off the mud|clean it with mild soap|brush off sand and grass] [after every use|once a week|after wet days] and [store it somewhere dry|let it dry in the shade|keep it away from direct sun]", 0, 0, 0}
static const crmw_fact golf_facts[] = {
	{"The {product} is designed for {v}.", Q_FOR, "{v}", "[beginners|club golfers|low-handicap players|juniors aged [8|10] to [12|14|16]] who [play every week|practise on the range|play in all weather|walk the course]", 0, 0, 0},
	F_COLOURS, F_GEAR_CARE, F_END,
};
static const crmw_fact swim_facts[] = {
	{"The {product} is designed for {v}.", Q_FOR, "{v}", "[beginners|club swimmers|open-water swimmers|children aged [5|6|7] to [10|12]|fitness swimmers] who [swim laps|train [two|three|five] times a week|race in the summer|swim in cold water]", 0, 0, 0},
	F_COLOURS,
	{"To care for the {product}, {v}.", Q_CARE, "{v}", "[rinse it in fresh water|soak it in cold water for [5|10|15] minutes|rinse off the chlorine] [after every swim|after each session] and [dry it in the shade|let it dry flat|keep it out of direct sun]", 0, 0, 0},
	F_END,
};
static const crmw_fact outdoor_facts[] = {
	{"The {product} is designed for {v}.", Q_FOR, "{v}", "[day hikes|multi-day treks|alpine routes|weekend camping|thru-hikes|family camping trips] [in [dry|wet|cold|mild] weather|at altitudes up to [2000|3000|4000] metres]", 0, 0, 0},
	F_COLOURS, F_GEAR_CARE, F_GUARANTEE, F_END,
};
static const crmw_fact cycling_facts[] = {
	{"The {product} is designed for {v}.", Q_FOR, "{v}", "[road cycling|commuting|gravel riding|mountain biking|indoor training|touring] [in [summer|all seasons|cold weather]|on rides up to [50|100|200] kilometres]", 0, 0, 0},
	{"The {product} is made in sizes {v}.", Q_SIZES, "{v}", V_LETTER_SIZES, 0, 0, 0},
	F_COLOURS, F_GUARANTEE, F_END,
};
static const crmw_fact team_facts[] = {
	{"The {product} is designed for {v}.", Q_FOR, "{v}", "[club training|match play|school sports|youth leagues|five-a-side games] [on grass|on artificial turf|in indoor halls|on hard courts]", 0, 0, 0},
	F_COLOURS, F_GEAR_CARE, F_GUARANTEE, F_END,
};

static const crmw_category retail_categories[] = {
	{"Running Footwear", LIST("Trail Runner", "Road Racer", "Stability Trainer", "Track Spike", "Recovery Slide"),
	 LIST("Women's", "Men's", "Kids'"), 60, 180,
	 PER_NOUN(LIST("a lugged outsole for loose ground", "a rock plate under the forefoot", "a gusseted tongue that keeps out grit"),
		  LIST("a carbon plate", "a lightweight knit upper", "a responsive foam midsole"),
		  LIST("a medial support post", "a wide heel base", "a firm heel counter"),
		  LIST("six removable steel spikes", "a stiff nylon spike plate", "a minimal mesh upper"),
		  LIST("a soft contoured footbed", "a waterproof foam body", "a textured non-slip sole")),
	 shoe_facts},
	{"Outerwear", LIST("Rain Jacket", "Trail Jacket", "Insulated Parka", "Wind Shell", "Fleece Vest"),
	 LIST("Women's", "Men's", "Packable"), 70, 260,
	 PER_NOUN(LIST("a waterproof breathable membrane", "taped seams", "an adjustable storm hood"),
		  LIST("stretch side panels", "a packable hood", "underarm vents"),
		  LIST("recycled synthetic insulation", "a fleece-lined collar", "a two-way zipper"),
		  LIST("a wind-resistant ripstop shell", "a stuff pocket", "elastic cuffs"),
		  LIST("a brushed grid fleece", "zippered hand pockets", "a high collar")),
	 outer_facts},
	{"Fitness Apparel", LIST("Fitness Leggings", "Training Tee", "Sports Bra", "Running Shorts", "Compression Top"),
	 LIST("Women's", "Men's", "Seamless"), 25, 90,
	 PER_NOUN(LIST("a high waistband with a hidden pocket", "four-way stretch fabric", "flat-lock seams"),
		  LIST("sweat-wicking fabric", "an odour-control finish", "raglan sleeves"),
		  LIST("removable pads", "adjustable crossback straps", "a high-support band"),
		  LIST("a built-in liner", "a zippered back pocket", "reflective trim"),
		  LIST("graduated compression", "thumbholes", "UV protection")),
	 apparel_facts},
	{"Golf", LIST("Golf Shoes", "Golf Glove", "Golf Polo", "Rangefinder", "Golf Umbrella"),
	 LIST("Tour", "Classic", "Women's"), 20, 240,
	 PER_NOUN(LIST("waterproof leather", "replaceable soft spikes", "a cushioned insole"),
		  LIST("a soft cabretta leather palm", "a hook-and-loop wrist closure", "perforations for airflow"),
		  LIST("a moisture-wicking pique knit", "a three-button placket", "a ribbed collar that keeps its shape"),
		  LIST("laser distance readings up to 400 yards", "slope compensation", "a flag-lock vibration alert"),
		  LIST("a double canopy that vents wind", "a fibreglass frame", "a 62-inch span")),
	 golf_facts},
	{"Swimming", LIST("Swim Goggles", "Swim Cap", "Training Fins", "Racing Swimsuit", "Kickboard"),
	 LIST("Anti-Fog", "Waterproof", "Junior"), 10, 120,
	 PER_NOUN(LIST("anti-fog lenses", "a silicone seal", "an adjustable split strap"),
		  LIST("a wrinkle-free silicone shell", "room for long hair", "a tear-resistant edge"),
		  LIST("short blades for fast kicks", "an open heel", "soft foot pockets"),
		  LIST("chlorine-resistant fabric", "a low-drag finish", "bonded seams"),
		  LIST("a closed-cell foam body", "finger grips", "a contoured nose")),
	 swim_facts},
	{"Outdoor Gear", LIST("Hiking Backpack", "Trekking Poles", "Headlamp", "Water Filter", "Camp Stove"),
	 LIST("Ultralight", "Expedition", "Compact"), 30, 220,
	 PER_NOUN(LIST("an aluminium frame", "a hydration sleeve", "a rain cover"),
		  LIST("carbon fibre shafts", "cork grips", "flick-lock adjusters"),
		  LIST("a rechargeable battery", "a red night mode", "a 350-lumen beam"),
		  LIST("a hollow-fibre membrane", "a squeeze pouch", "a backflush syringe"),
		  LIST("a piezo igniter", "a folding pot support", "a wind shield")),
	 outdoor_facts},
	{"Cycling", LIST("Cycling Jersey", "Bike Helmet", "Bike Lights Set", "Padded Bib Shorts", "Cycling Gloves"),
	 LIST("Aero", "Commuter", "Women's"), 25, 200,
	 PER_NOUN(LIST("a full-length zip", "three rear pockets", "a silicone hem gripper"),
		  LIST("MIPS impact protection", "a dial-fit system", "14 air vents"),
		  LIST("USB charging", "a 600-lumen front light", "a daytime flash mode"),
		  LIST("a chamois pad", "mesh bib straps", "leg grippers"),
		  LIST("gel palm padding", "touchscreen fingertips", "a terry thumb wipe")),
	 cycling_facts},
	{"Team Sports", LIST("Soccer Ball", "Basketball", "Shin Guards", "Goalkeeper Gloves", "Training Cones"),
	 LIST("Match", "Pro", "Youth"), 12, 110,
	 PER_NOUN(LIST("thermo-bonded panels", "a butyl bladder", "a textured surface for grip"),
		  LIST("a composite leather cover", "deep channels", "an indoor-outdoor design"),
		  LIST("a moulded shell", "ankle protection", "a sleeve that holds them in place"),
		  LIST("latex palms", "finger saves", "a wide wrist strap"),
		  LIST("a stackable design", "a carry holder", "bright colours that show from afar")),
	 team_facts},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};

static const crmw_issue retail_issues[] = {
	{"Broken Zipper", "A zipper that splits, sticks or comes off.", 30, "warranty",
	 LIST("[Broken|Stuck|Split] zipper on my {product}", "The zipper of my {product} [broke|came off|will not close]"),
	 "[I bought|I recently purchased|I ordered] the {product} and [after a few uses|within a week|on the first hike] the zipper [split open|got stuck|came off]. [I would like a replacement.|Can you help?|Please advise.]", "Outerwear|Fitness Apparel"},
	{"Sole Separation", "The sole of a shoe peels away from the upper.", 48, "warranty",
	 LIST("Sole [coming off|separating|peeling away] on {product}", "{product}: sole [detached|separated]"),
	 "[The sole of my|My] {product} started [peeling|coming away] from the upper after [two weeks|a month|only a few runs]. [This should not happen.|I expected better quality.|What are my options?]", "Running Footwear|Golf"},
	{"Late Delivery", "An order arrives after the promised date.", 20, "shipping",
	 LIST("[Order|Package] for {product} [has not arrived|is late]", "Where is my {product}?"),
	 "[My order|The package] with the {product} was [due|promised] [last week|five days ago|by Monday] and [still has not arrived|tracking shows no movement]. [Please check.|Can you tell me where it is?]", NULL},
	{"Wrong Size", "The item does not fit as the size chart suggests.", 18, "exchange",
	 LIST("{product} [runs small|runs large|does not fit]", "Need a different size of {product}"),
	 "[The|My] {product} [runs a full size small|is far too large|does not match the size chart]. [I would like to exchange it.|Can I swap it for another size?]", "Running Footwear|Outerwear|Fitness Apparel"},
	{"Incorrect Item Received", "The package holds a different item than ordered.", 24, "return",
	 LIST("Incorrect item received instead of {product}", "Wrong item in my {product} order"),
	 "I [ordered|recently ordered] a {product}, but [I received a completely different item|the box contained something else]. [I need the correct {product} as soon as possible.|Please send the right item.]", NULL},
	{"Defective Fabric", "Fabric pills, tears or loses colour early.", 36, "warranty",
	 LIST("{product} fabric [pilling|tearing|fading]", "Poor fabric quality on {product}"),
	 "The fabric of my {product} [started pilling|tore at the seam|faded] after [one wash|a few wears|two weeks]. [Is this covered?|I want a refund or a replacement.]", "Fitness Apparel|Outerwear|Swimming"},
	{"Refund Delay", "A refund has not reached the customer.", 28, "refund",
	 LIST("Refund for {product} not received", "Still waiting for my {product} refund"),
	 "I returned the {product} [two weeks ago|last month|on the 3rd] and [have not seen the refund yet|the refund is still pending]. [When will I get my money back?|Please look into it.]", NULL},
	{"Cancellation Problem", "The customer cannot cancel an order.", 16, "cancellation",
	 LIST("Unable to cancel order for {product}", "Cancel my {product} order"),
	 "I [placed an order|ordered] for the {product} and [I am trying to cancel it|want to cancel it], but [the website will not let me|the button is greyed out]. [Please cancel it for me.|Can you help?]", NULL},
	{"Missing Parts", "Parts or accessories are missing from the box.", 22, "return",
	 LIST("Parts missing from {product}", "{product} arrived incomplete"),
	 "[My|The] {product} arrived [without|missing] [the charging cable|one of the straps|the instructions|the carry bag]. [Can you send the missing part?|Please advise.]", "Outdoor Gear|Cycling|Golf|Team Sports|Swimming"},
	{"Damaged in Transit", "The item arrived damaged.", 26, "return",
	 LIST("{product} arrived damaged", "Damaged box and {product}"),
	 "The {product} arrived [with a crushed box|scratched|broken] [and I cannot use it|this morning]. [I would like a replacement.|How do I return it?]", NULL},
	{"Store Credit Request", "The customer wants store credit instead of a refund.", 14, "store_credit",
	 LIST("Store credit instead of a refund for {product}", "Can I get store credit for my {product}?"),
	 "I [bought|ordered] the {product} [last month|a few weeks ago] and [would rather have store credit than a refund|want to trade it in for store credit]. [How does that work?|Please set it up.]", NULL},
	{"Price Drop After Purchase", "The price of an item fell soon after the customer bought it.", 12, "price_adjustment",
	 LIST("Price of {product} dropped after I bought it", "Price adjustment for {product}"),
	 "I [paid full price for|bought] the {product} [last week|ten days ago] and [now it is on sale|the price has dropped a lot]. [Can you refund the difference?|Is a price adjustment possible?]", NULL},
	{"Missing Loyalty Points", "Loyalty points for an order did not appear.", 10, "loyalty",
	 LIST("Loyalty points missing for {product} order", "No points for my {product} purchase"),
	 "I [bought|ordered] the {product} [two weeks ago|last month] but [the loyalty points never showed up in my account|my points balance did not change]. [Please add them.|Can you check?]", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

#define QA_END {NULL, NULL}

/* Policies: an article states the rule, a violation contradicts it. */
static const crmw_policy retail_policies[] = {
	{"return", "Return Policy", "Returns and refunds",
	 "Items in unused condition can be returned within 30 days of delivery for a full refund. Footwear can be returned within 30 days even if tried on indoors.",
	 "[Unfortunately|Sorry, but] [we only accept returns within 14 days of delivery|returns are only possible within a week of delivery], so I cannot accept this return.",
	 (const crmw_qa[]){{"[How long do I have to return an unused item for a full refund?|Within how many days can I send back something I have not used?|What is the return window for unused items?|Until when can I return an unused item and get my money back?]", "within 30 days of delivery"},
			   {"[Can I return shoes I have tried on indoors?|If I tried my new shoes on at home, can I still return them?|Are footwear returns possible after trying them on?]", "yes, within 30 days even if tried on indoors"},
			   {"[In what condition must an item be for a full refund?|What condition does a return need to be in?]", "unused condition"},
			   QA_END}},
	{"refund", "Refund Processing Times", "When refunds arrive",
	 "Refunds are issued to the original payment method within 5 to 7 business days after the returned item reaches our warehouse.",
	 "Refunds can take up to 30 business days to appear, so there is nothing I can do until then.",
	 (const crmw_qa[]){{"[How long does a refund take to reach my original payment method?|When will I see my refund?|How many days until my refund arrives?]", "5 to 7 business days after the returned item reaches the warehouse"},
			   {"[Where does my refund go?|Which payment method is the refund issued to?|Will my refund come back to my card?]", "to the original payment method"},
			   QA_END}},
	{"warranty", "Product Warranty", "What the warranty covers",
	 "All footwear and outerwear carry a 12 month warranty against manufacturing defects such as sole separation, seam failure and broken zippers. Defective items are replaced free of charge.",
	 "[Our warranty only covers the first 30 days|Manufacturing defects are not covered after 30 days], so this is not eligible for a free replacement.",
	 (const crmw_qa[]){{"[How long is the warranty on footwear and outerwear?|What warranty do shoes and jackets have?|For how long are footwear and outerwear covered?]", "12 months against manufacturing defects"},
			   {"[What does the warranty cover?|Which defects are covered by the warranty?|Is a broken zipper covered by the warranty?]", "manufacturing defects such as sole separation, seam failure and broken zippers"},
			   {"[What happens to a defective item under warranty?|Will a defective item be replaced for free?|Do I pay anything for a warranty replacement?]", "defective items are replaced free of charge"},
			   QA_END}},
	{"exchange", "Size Exchanges", "Exchanging for another size",
	 "Size exchanges are free within 60 days of delivery, including return shipping.",
	 "Size exchanges cost a $15 handling fee, which will be deducted from your account.",
	 (const crmw_qa[]){{"[Do size exchanges cost anything?|Is it free to swap for another size?|Will I pay for exchanging a size?]", "size exchanges are free within 60 days of delivery, including return shipping"},
			   {"[How long do I have to exchange a size?|Within how many days can I swap for another size?|What is the deadline for a size exchange?]", "within 60 days of delivery"},
			   QA_END}},
	{"shipping", "Late Delivery Compensation", "What happens when an order is late",
	 "If an order arrives more than 5 days after the promised date, the shipping fee is refunded automatically.",
	 "We do not refund shipping fees for late deliveries under any circumstances.",
	 (const crmw_qa[]){{"[What happens if my order arrives more than 5 days late?|Do I get anything back when a delivery is very late?|Is the shipping fee refunded for late orders?]", "the shipping fee is refunded automatically"},
			   {"[How late must an order be before the shipping fee is refunded?|After how many days of delay is shipping refunded?]", "more than 5 days after the promised date"},
			   QA_END}},
	{"cancellation", "Order Cancellation", "Cancelling an order",
	 "Orders can be cancelled free of charge within 24 hours of purchase, as long as they have not shipped.",
	 "Orders cannot be cancelled once they are placed, even within the first hour.",
	 (const crmw_qa[]){{"[Until when can I cancel an order free of charge?|How long do I have to cancel an order?|Can I still cancel my order? What is the time limit?]", "within 24 hours of purchase, as long as it has not shipped"},
			   {"[Does cancelling an order cost anything?|Is there a fee to cancel an order within a day?]", "cancelling within 24 hours of purchase is free of charge"},
			   QA_END}},
	{"store_credit", "Store Credit", "Choosing store credit instead of a refund",
	 "Customers who prefer store credit must request it within 90 days from the purchase date; store credit never expires.",
	 "Store credit has to be requested within 10 days of purchase and expires after 3 months.",
	 (const crmw_qa[]){{"[When do I have to ask for store credit?|Within how many days must I request store credit?|What is the deadline to choose store credit instead of a refund?]", "within 90 days from the purchase date"},
			   {"[Does store credit expire?|How long is store credit valid?|Will my store credit run out?]", "store credit never expires"},
			   QA_END}},
	{"price_adjustment", "Price Adjustments", "Refunding a price drop",
	 "If the price of an item drops within 14 days of purchase, we refund the difference once per order on request.",
	 "[Sorry, but|Unfortunately] we do not offer price adjustments after an order is placed, so I cannot refund the difference.",
	 (const crmw_qa[]){{"[Do you refund the difference if a price drops after I buy?|What happens if something I bought goes on sale a few days later?|Can I get a price adjustment when an item gets cheaper?]", "the difference is refunded if the price drops within 14 days of purchase"},
			   {"[How long after buying can I ask for a price adjustment?|Within how many days does a price drop count for a refund of the difference?]", "within 14 days of purchase"},
			   {"[How many times can I get a price adjustment on one order?|Is a price adjustment limited per order?]", "once per order"},
			   QA_END}},
	{"loyalty", "Loyalty Points", "How loyalty points work",
	 "Members earn 1 point per dollar spent; points are posted within 48 hours of delivery and expire after 12 months without a purchase.",
	 "Points only post after 30 days, and they expire after 3 months anyway.",
	 (const crmw_qa[]){{"[How many points do I earn per dollar?|How are loyalty points earned?|What do I earn in points when I shop?]", "1 point per dollar spent"},
			   {"[When do loyalty points show up in my account?|How long until my points are posted?|How soon after delivery do I get my points?]", "within 48 hours of delivery"},
			   {"[Do loyalty points expire?|When do my points expire?|How long do loyalty points last?]", "after 12 months without a purchase"},
			   QA_END}},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ----------------------------------------------------------------- b2b */

#define F_SHIPS {"The {product} ships within {v} business days of the order.", "[How soon does the {product} ship?|What is the delivery time for the {product}?|How many days after we order does the {product} ship?|What lead time should we plan for the {product}?]", "within {v} business days", NULL, 3, 20, 1}
#define F_WARRANTY_M {"The {product} carries a {v}-month hardware warranty.", "[How long is the warranty on the {product}?|What warranty comes with the {product}?|For how many months is the {product} covered?]", "{v} months", NULL, 12, 60, 12}
#define F_MAX_TEMP {"The {product} is rated for ambient temperatures up to {v} degrees Celsius.", "[What is the maximum operating temperature of the {product}?|How hot can the room get while the {product} runs?|Up to what temperature can the {product} operate?]", "{v} degrees Celsius", NULL, 35, 70, 5}
static const crmw_fact software_facts[] = {
	{"The {product} needs at least {v} GB of memory per workstation.", "[How much memory does the {product} need?|What are the memory requirements of the {product}?|What is the minimum RAM for running the {product}?]", "at least {v} GB", NULL, 8, 128, 8},
	{"New releases of the {product} ship every {v} weeks.", "[How often is the {product} updated?|How frequently do new releases of the {product} come out?|What is the release cycle of the {product}?]", "every {v} weeks", NULL, 4, 16, 2},
	{"One licence of the {product} covers up to {v} named users.", "[How many users does one licence of the {product} cover?|How many named users can share a {product} licence?|Can several engineers use one {product} licence, and how many?]", "up to {v} named users", NULL, 1, 10, 1},
	{"The {product} runs on {v}.", "[Which operating systems does the {product} run on?|Does the {product} run on Linux? Which systems are supported?|What platforms does the {product} support?]", "{v}", "[Windows 10|Windows 11|Windows Server 2022] and [Red Hat Enterprise Linux [8|9]|Ubuntu [20.04|22.04]|Rocky Linux [8|9]]", 0, 0, 0},
	F_END,
};
static const crmw_fact test_hw_facts[] = {
	F_SHIPS, F_WARRANTY_M, F_MAX_TEMP,
	{"The {product} should be recalibrated every {v} months.", "[How often does the {product} need calibration?|What is the calibration interval of the {product}?|When should the {product} be recalibrated?]", "every {v} months", NULL, 6, 24, 6},
	F_END,
};
static const crmw_fact compute_facts[] = {
	F_SHIPS, F_WARRANTY_M, F_MAX_TEMP,
	{"The {product} draws at most {v} watts.", "[How much power does the {product} use?|What is the power draw of the {product}?|How many watts does the {product} need?]", "at most {v} watts", NULL, 300, 3000, 50},
	F_END,
};
static const crmw_fact service_facts[] = {
	{"The {product} runs over {v} working days.", "[How long does the {product} take?|How many days does the {product} last?|What is the duration of the {product}?]", "{v} working days", NULL, 2, 20, 1},
	{"Up to {v} participants can take part in the {product}.", "[How many people can join the {product}?|What is the maximum number of participants for the {product}?|How many of our engineers can attend the {product}?]", "up to {v} participants", NULL, 4, 24, 2},
	{"The {product} is delivered {v}.", "[How is the {product} delivered?|Is the {product} on site or remote?|Where does the {product} take place?]", "{v}", "[on site|remotely by video|at our training centre|on site or remotely] in [two|three|four|five|six] sessions of [two|three|four] hours", 0, 0, 0},
	{"The {product} must be booked {v} business days in advance.", "[How far in advance do we need to book the {product}?|What is the lead time to schedule the {product}?|How early should we book the {product}?]", "{v} business days in advance", NULL, 5, 30, 5},
	F_END,
};

static const crmw_category b2b_categories[] = {
	{"Simulation Software", LIST("FlowSim", "StressLab", "ThermaCalc", "WaveSolver", "CrashLab"),
	 LIST("Standard", "Professional", "Enterprise"), 1200, 18000,
	 PER_NOUN(LIST("a transient flow solver", "automatic boundary-layer meshing", "a turbulence model library"),
		  LIST("nonlinear contact analysis", "fatigue life prediction", "a bolt preload tool"),
		  LIST("conjugate heat transfer", "radiation modelling", "a thermal report generator"),
		  LIST("a frequency-domain electromagnetic solver", "antenna pattern plots", "a port calibration wizard"),
		  LIST("an explicit dynamics solver", "dummy model libraries", "a crash pulse viewer")),
	 software_facts},
	{"CAD Software", LIST("DraftPoint", "PartForge", "SurfaceWorks", "AssemblyPro"),
	 LIST("Seat", "Floating Seat", "Team"), 800, 9000,
	 PER_NOUN(LIST("a 2D drafting workspace", "a DWG import filter", "a layer manager"),
		  LIST("parametric part modelling", "a feature history tree", "a sheet metal module"),
		  LIST("class-A surface tools", "curvature analysis", "a rendering preview"),
		  LIST("large assembly handling", "an interference checker", "an exploded-view editor")),
	 software_facts},
	{"Test Hardware", LIST("Data Logger", "Strain Gauge Kit", "Vibration Sensor", "Thermal Camera", "Signal Conditioner"),
	 LIST("8-Channel", "16-Channel", "Rugged"), 400, 12000,
	 PER_NOUN(LIST("24-bit sampling", "an SD card slot", "48 hours of battery operation"),
		  LIST("120-ohm foil gauges", "a bonding adhesive kit", "a bridge completion module"),
		  LIST("a triaxial accelerometer", "a 10 kHz bandwidth", "a magnetic mount"),
		  LIST("a 320 x 240 detector", "a measuring range up to 650 degrees Celsius", "radiometric video"),
		  LIST("EtherCAT output", "galvanic isolation", "programmable filters")),
	 test_hw_facts},
	{"Compute Appliances", LIST("Solver Node", "Render Workstation", "Storage Array", "HPC Rack"),
	 LIST("Compact", "Performance", "Max"), 3500, 60000,
	 PER_NOUN(LIST("dual 64-core processors", "512 GB of memory", "a 100-gigabit network port"),
		  LIST("two professional GPUs", "liquid cooling", "a 4 TB NVMe drive"),
		  LIST("redundant controllers", "200 TB of raw capacity", "snapshot replication"),
		  LIST("redundant power supplies", "a rack-level management controller", "rear-door cooling")),
	 compute_facts},
	{"Services", LIST("Onboarding Package", "Training Course", "Premium Support Plan", "Migration Service"),
	 LIST("Starter", "Standard", "Extended"), 500, 25000,
	 PER_NOUN(LIST("a named engineer", "a kickoff workshop", "custom templates"),
		  LIST("hands-on exercises", "a certificate of completion", "course material to keep"),
		  LIST("a 4 hour response time", "a dedicated support line", "quarterly health checks"),
		  LIST("data mapping", "a validation report", "a rollback plan")),
	 service_facts},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};

static const crmw_issue b2b_issues[] = {
	{"License Activation Failure", "A license key or server will not activate.", 10, "licensing",
	 LIST("Cannot activate {product} license", "{product} license server error"),
	 "Our team [cannot activate|lost activation of] {product} [after the upgrade|on the new workstations|since Monday]. [The error code is LIC-204.|The license server refuses connections.] [Please help urgently.|We are blocked.]", "Simulation Software|CAD Software"},
	{"Solver Crash", "The software stops during a run.", 30, "support",
	 LIST("{product} crashes during solve", "Solver run aborts in {product}"),
	 "[Runs in|Jobs on] {product} [crash|abort] [at about 60 percent|when meshing large models|with an out-of-memory message]. [This is delaying a customer delivery.|Please advise on a fix.]", "Simulation Software|CAD Software|Compute Appliances"},
	{"Hardware Fault", "A device fails or gives wrong readings.", 48, "rma",
	 LIST("{product} not powering on", "Wrong readings from {product}"),
	 "Our {product} [stopped powering on|reports values that drift|shows a calibration error] [after two months in the lab|since the last firmware update]. [We need a replacement.|Can you arrange a repair?]", "Test Hardware|Compute Appliances"},
	{"Billing Discrepancy", "An invoice does not match the contract.", 24, "billing",
	 LIST("Invoice does not match {product} contract", "Billing question about {product}"),
	 "The invoice for {product} [lists more seats than we signed for|uses the wrong unit price|was charged twice]. [Please correct it.|Can you send a revised invoice?]", NULL},
	{"Integration Issue", "The product does not work with another system.", 36, "support",
	 LIST("{product} integration with PDM failing", "{product} API returns errors"),
	 "[Our integration between|The connector from] {product} [and our PDM system|to our CI pipeline] [fails with a timeout|returns error 500]. [Please investigate.|Is there a known issue?]", "Simulation Software|CAD Software|Test Hardware"},
	{"Delivery Delay", "Hardware or a service start is late.", 20, "shipping",
	 LIST("{product} delivery delayed", "Still waiting for {product}"),
	 "The {product} we ordered was due [two weeks ago|last Friday] and [has not shipped|the start date keeps moving]. [Please give us a firm date.|This affects our project plan.]", NULL},
	{"Renewal Pricing Dispute", "A renewal quote is higher than the customer expected.", 18, "renewal",
	 LIST("Renewal price for {product} went up", "Question about the {product} renewal quote"),
	 "[Our renewal quote for|The renewal offer on] {product} [is far above last year's price|came in much higher than expected]. [Please explain the increase.|We need a corrected quote before we sign.]", "Simulation Software|CAD Software|Services"},
	{"Training Reschedule", "A customer needs to move or cancel a training session.", 12, "training",
	 LIST("Reschedule our {product} session", "Cancel our {product} booking"),
	 "[We booked the|Our team is registered for the] {product} [next month|in two weeks] but [our engineers are no longer available|the project timeline moved]. [Can we move it?|We would like to cancel and get a refund.]", "Services"},
	{"Data Export Request", "A customer asks for an export of their data.", 16, "data",
	 LIST("Export our data from {product}", "Data export request for {product}"),
	 "[We are consolidating tools and|Our auditors asked us for records, so we] need a full export of our project data from {product}. [How soon can we get it?|Please send the export.]", "Simulation Software|CAD Software|Services"},
	{"Security Vulnerability", "A customer reports a security weakness.", 40, "security",
	 LIST("Security vulnerability in {product}", "Possible exploit in {product} firmware"),
	 "Our security team found [a vulnerability in|an exposed service on] {product} [during a penetration test|in the last audit]. [When will a patch be available?|We need a fix quickly.]", "Simulation Software|CAD Software|Test Hardware|Compute Appliances"},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

static const crmw_policy b2b_policies[] = {
	{"licensing", "License Transfer Policy", "Moving licenses between machines",
	 "Node-locked licenses can be transferred to a new machine up to 4 times per year at no cost through the license portal.",
	 "License transfers are not allowed; you would have to buy a new license for the new machine.",
	 (const crmw_qa[]){{"[How often can a node-locked license be moved to a new machine at no cost?|How many free license transfers do we get per year?|Can we move a license to a new workstation, and how often?]", "up to 4 times per year through the license portal"},
			   {"[Where do we transfer a node-locked license?|How is a license moved to a new machine?]", "through the license portal"},
			   QA_END}},
	{"support", "Support Response Times", "How fast support answers",
	 "Premium customers receive a first response within 4 business hours for critical issues and within 1 business day for all others.",
	 "Critical issues are answered within 5 business days, whatever your plan.",
	 (const crmw_qa[]){{"[How quickly do premium customers get a first response on critical issues?|What is the response time for critical issues on premium support?|How fast does support answer a critical issue?]", "within 4 business hours"},
			   {"[How fast is the first response for issues that are not critical?|When do premium customers hear back on normal issues?]", "within 1 business day"},
			   QA_END}},
	{"rma", "Hardware Return Authorization", "Returning faulty hardware",
	 "Faulty hardware can be returned under an RMA within 90 days of delivery for repair or replacement; shipping is paid by us.",
	 "Hardware returns are only accepted within 14 days and the customer pays the shipping.",
	 (const crmw_qa[]){{"[How long after delivery can faulty hardware be returned under an RMA?|What is the RMA window for faulty hardware?|Until when can we send back a faulty device?]", "within 90 days of delivery, with shipping paid by the company"},
			   {"[Who pays shipping for an RMA return?|Do we pay to ship faulty hardware back?]", "the company pays the shipping"},
			   QA_END}},
	{"billing", "Invoice Corrections", "Fixing invoice errors",
	 "Invoice errors reported within 60 days are corrected with a credit note within 10 business days.",
	 "We cannot correct invoices after they are issued; the amount has to be paid as billed.",
	 (const crmw_qa[]){{"[How are invoice errors reported within 60 days corrected?|What happens when we report a wrong invoice?|How do you fix an invoice mistake?]", "with a credit note within 10 business days"},
			   {"[How long do we have to report an invoice error?|Within how many days must invoice mistakes be reported?]", "within 60 days"},
			   QA_END}},
	{"shipping", "Delivery Commitments", "What we promise on delivery",
	 "Hardware ships within 15 business days of order confirmation; late shipments earn a 5 percent credit.",
	 "There is no delivery commitment and no credit for late shipments.",
	 (const crmw_qa[]){{"[How soon does hardware ship?|What is the standard shipping time for hardware?|When does ordered hardware leave the warehouse?]", "within 15 business days of order confirmation"},
			   {"[What do late hardware shipments earn?|Is there compensation for a late shipment?]", "a 5 percent credit"},
			   QA_END}},
	{"renewal", "Renewal Terms", "How subscriptions renew",
	 "Subscriptions renew for 12 months; the renewal price may rise by at most 5 percent over the previous term, and customers are notified 60 days before renewal.",
	 "[This year's renewal includes a 20 percent increase, which is standard.|Renewal prices can go up by any amount; 18 percent is normal this year.]",
	 (const crmw_qa[]){{"[How much can the renewal price go up?|What is the maximum price increase at renewal?|Is there a cap on renewal price increases?]", "at most 5 percent over the previous term"},
			   {"[How early are we told about a renewal?|When do we get notice of an upcoming renewal?]", "60 days before renewal"},
			   {"[How long does a subscription renew for?|What is the renewal term?]", "12 months"},
			   QA_END}},
	{"training", "Training Bookings", "Rescheduling and cancelling training",
	 "Training sessions can be rescheduled free of charge up to 10 business days before the start; cancellations after that are charged 50 percent of the fee.",
	 "[Training cannot be moved once it is booked; the full fee is due.|Any change within 30 days of the session costs the full fee.]",
	 (const crmw_qa[]){{"[Until when can we reschedule a training session for free?|How late can a training booking be moved without a charge?]", "up to 10 business days before the start"},
			   {"[What does a late training cancellation cost?|How much is charged for cancelling training late?]", "50 percent of the fee"},
			   QA_END}},
	{"data", "Data Export and Retention", "Getting your data out",
	 "Customers can request a full export of their data at any time; exports are delivered within 5 business days, and data is kept for 90 days after a contract ends.",
	 "[Data exports are only available at the end of the contract, and they take 6 weeks.|We cannot export customer data while the contract is active.]",
	 (const crmw_qa[]){{"[How long does a data export take?|How soon is a data export delivered?|When will we receive our data export?]", "within 5 business days"},
			   {"[How long is our data kept after the contract ends?|What happens to our data when the contract ends?]", "it is kept for 90 days after the contract ends"},
			   {"[When can we request a data export?|Can we ask for an export while the contract is active?]", "at any time"},
			   QA_END}},
	{"security", "Security Patch Commitments", "How fast vulnerabilities are fixed",
	 "Critical vulnerabilities are patched within 72 hours of confirmation and high-severity ones within 14 days; customers are notified by e-mail.",
	 "[Security fixes only ship with the next quarterly release, about 90 days out.|We patch vulnerabilities within 90 days at the earliest.]",
	 (const crmw_qa[]){{"[How fast are critical vulnerabilities patched?|What is the patch time for a critical security issue?]", "within 72 hours of confirmation"},
			   {"[How quickly are high-severity vulnerabilities fixed?|What is the deadline for high-severity patches?]", "within 14 days"},
			   {"[How are customers told about security patches?|Will we be notified when a vulnerability is fixed?]", "by e-mail"},
			   QA_END}},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ----------------------------------------------------------------- b2c */

#define F_BATTERY_H {"The {product} runs for up to {v} hours on one charge.", "[How long does the battery of the {product} last?|What is the battery life of the {product}?|How many hours does the {product} run on a charge?]", "up to {v} hours", NULL, 6, 60, 2}
#define F_CHARGE {"A full charge of the {product} takes {v} minutes.", "[How long does the {product} take to charge?|How long is a full charge of the {product}?|How many minutes does it take to charge the {product}?]", "{v} minutes", NULL, 45, 180, 15}
static const crmw_fact audio_facts[] = {
	F_BATTERY_H, F_CHARGE, F_COLOURS,
	{"The wireless range of the {product} is up to {v} metres.", "[What is the Bluetooth range of the {product}?|How far from my phone can the {product} be?|How far does the wireless connection of the {product} reach?]", "up to {v} metres", NULL, 8, 30, 2},
	F_END,
};
static const crmw_fact smart_home_facts[] = {
	{"The {product} connects over {v}.", "[What network does the {product} need?|Does the {product} work on 5 GHz Wi-Fi? What does it connect with?|Which wireless standards does the {product} support?]", "{v}", "Wi-Fi on [2.4 GHz only|2.4 and 5 GHz] and [Bluetooth [4.2|5.0|5.3]|Zigbee|Thread|Matter]", 0, 0, 0},
	{"The {product} keeps {v} days of history in the app.", "[How long does the {product} keep its history?|How many days of history does the {product} store?|How far back can I see the {product}'s history in the app?]", "{v} days", NULL, 7, 60, 1},
	F_COLOURS, F_END,
};
static const crmw_fact kitchen_facts[] = {
	{"The {product} is rated at {v} watts.", "[How much power does the {product} use?|What is the wattage of the {product}?|How many watts is the {product}?]", "{v} watts", NULL, 600, 2200, 50},
	{"The {product} holds {v}.", "[What is the capacity of the {product}?|How much does the {product} hold?|How big is the {product}?]", "{v}", "[1|1.5|2|2.5|3|3.5|4|4.5|5|5.5|6] litres", 0, 0, 0},
	{"The removable parts of the {product} are {v}.", "[Can I put the parts of the {product} in the dishwasher?|How do I clean the {product}?|Are the parts of the {product} dishwasher safe?]", "{v}", "[dishwasher safe on the top rack|dishwasher safe|best washed by hand] and [BPA free|made of stainless steel|coated with ceramic|made of tempered glass]", 0, 0, 0},
	F_COLOURS, F_END,
};
static const crmw_fact wearable_facts[] = {
	{"The {product} lasts up to {v} days on one charge.", "[How long does the battery of the {product} last?|How many days does the {product} run on a charge?|What is the battery life of the {product}?]", "up to {v} days", NULL, 2, 21, 1},
	{"The {product} is water resistant to {v} metres.", "[Is the {product} waterproof?|Can I swim with the {product}? How deep?|What is the water resistance of the {product}?]", "water resistant to {v} metres", NULL, 30, 100, 10},
	F_CHARGE, F_COLOURS, F_END,
};
static const crmw_fact computer_facts[] = {
	{"The {product} has a {v}-inch screen.", "[How big is the screen of the {product}?|What is the screen size of the {product}?|How many inches is the {product}'s display?]", "{v} inches", "[10.9|11|12.4|13.3|14|15.6|16]", 0, 0, 0},
	{"The {product} comes with {v}.", "[How much storage and memory does the {product} have?|What are the storage and memory of the {product}?|How much can the {product} store, and how much memory does it have?]", "{v}", "[64|128|256|512] GB of storage and [4|8|16|32] GB of memory", 0, 0, 0},
	F_BATTERY_H, F_COLOURS, F_END,
};

static const crmw_category b2c_categories[] = {
	{"Headphones", LIST("Wireless Earbuds", "Over-Ear Headphones", "Sport Earphones", "Studio Monitors"),
	 LIST("Noise-Cancelling", "Compact", "Pro"), 40, 400,
	 PER_NOUN(LIST("a wireless charging case", "touch controls", "an ambient sound mode"),
		  LIST("active noise cancelling", "memory foam ear cushions", "a folding design"),
		  LIST("sweat resistance", "secure ear hooks", "a magnetic clip"),
		  LIST("a flat frequency response", "a detachable coiled cable", "closed-back ear cups")),
	 audio_facts},
	{"Smart Home", LIST("Smart Speaker", "Video Doorbell", "Smart Thermostat", "Security Camera", "Smart Plug"),
	 LIST("Mini", "Plus", "Outdoor"), 25, 300,
	 PER_NOUN(LIST("voice control", "multi-room audio", "a physical mute switch"),
		  LIST("night vision", "two-way talk", "motion zones"),
		  LIST("energy reports", "a learning schedule", "a geofencing mode"),
		  LIST("a 1080p sensor", "a built-in siren", "local video storage"),
		  LIST("a power usage meter", "scheduling", "an away mode")),
	 smart_home_facts},
	{"Kitchen Appliances", LIST("Air Fryer", "Espresso Machine", "Blender", "Stand Mixer", "Toaster Oven"),
	 LIST("Digital", "Classic", "XL"), 50, 600,
	 PER_NOUN(LIST("a ceramic-coated basket", "eight preset programmes", "a shake reminder"),
		  LIST("a 15 bar pump", "a steam wand", "a built-in grinder"),
		  LIST("a 1200-watt motor", "a tamper", "a pulse setting"),
		  LIST("a stainless steel bowl", "a planetary mixing action", "a splash guard"),
		  LIST("convection baking", "a pizza stone", "a 60-minute timer")),
	 kitchen_facts},
	{"Wearables", LIST("Fitness Tracker", "Smartwatch", "Sleep Band", "GPS Watch"),
	 LIST("Active", "Lite", "Titanium"), 60, 500,
	 PER_NOUN(LIST("a heart rate sensor", "sleep tracking", "a colour touchscreen"),
		  LIST("an always-on display", "contactless payments", "an ECG app"),
		  LIST("a soft fabric strap", "a silent vibration alarm", "sleep stage tracking"),
		  LIST("built-in GPS", "offline maps", "a barometric altimeter")),
	 wearable_facts},
	{"Laptops & Tablets", LIST("Laptop", "Tablet", "2-in-1 Notebook", "E-Reader"),
	 LIST("Slim", "Studio", "Pro"), 100, 2200,
	 PER_NOUN(LIST("a backlit keyboard", "a fingerprint reader", "16 GB of memory"),
		  LIST("an OLED display", "stylus support", "quad speakers"),
		  LIST("a 360-degree hinge", "a touchscreen", "a pen garage"),
		  LIST("an E Ink screen", "an adjustable warm light", "weeks of battery life")),
	 computer_facts},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};

static const crmw_issue b2c_issues[] = {
	{"Device Not Charging", "The device will not charge or hold a charge.", 30, "warranty",
	 LIST("{product} not charging", "{product} battery drains fast"),
	 "My {product} [stopped charging|drains in an hour|will not turn on] [after a month|since yesterday|after an update]. [I need a fix.|Is this covered?]", "Headphones|Smart Home|Wearables|Laptops & Tablets"},
	{"Connectivity Problem", "Bluetooth or Wi-Fi pairing fails.", 20, "support",
	 LIST("{product} will not connect", "Pairing problem with {product}"),
	 "The {product} [keeps dropping|will not pair with] [my phone|the Wi-Fi|the app]. [I have tried resetting it.|Please help.]", "Headphones|Smart Home|Wearables|Laptops & Tablets"},
	{"Late Delivery", "An order arrives after the promised date.", 20, "shipping",
	 LIST("{product} order is late", "Where is my {product}?"),
	 "My {product} was [due last week|promised for Monday] and [has not arrived|tracking has not updated]. [Please check.|What is happening?]", NULL},
	{"Damaged on Arrival", "The item arrived damaged.", 26, "return",
	 LIST("{product} arrived damaged", "Cracked {product} in the box"),
	 "The {product} arrived [with a cracked screen|dented|broken] [this morning|yesterday]. [I want a replacement.|How do I return it?]", NULL},
	{"Refund Delay", "A refund has not reached the customer.", 28, "refund",
	 LIST("Refund for {product} not received", "Waiting for {product} refund"),
	 "I sent the {product} back [two weeks ago|last month] and [still have no refund|the refund shows as pending]. [When will it arrive?|Please check.]", NULL},
	{"Subscription Billing", "The customer is charged for an app subscription they did not expect.", 16, "cancellation",
	 LIST("Unexpected subscription charge for {product}", "Cancel {product} subscription"),
	 "I was charged [for the premium plan|twice] of my {product} app [although I cancelled|without agreeing]. [Please refund it.|Cancel it now.]", "Smart Home|Wearables"},
	{"Price Match Request", "The customer found the item cheaper elsewhere.", 12, "price_match",
	 LIST("Price match for {product}", "Found the {product} cheaper elsewhere"),
	 "I [bought|ordered] the {product} [last week|a few days ago] and [saw it cheaper at another store|found a lower price online]. [Can you match the price?|Please refund the difference.]", NULL},
	{"Screen Defect", "The display shows lines, dead pixels or flicker.", 34, "warranty",
	 LIST("Dead pixels on my {product}", "{product} screen [flickers|shows lines]"),
	 "The screen of my {product} [shows a line of dead pixels|flickers at low brightness|has a dark patch in the corner] [since I unpacked it|after a software update|after two weeks]. [Can it be replaced?|Is this a known fault?]", "Wearables|Laptops & Tablets|Smart Home"},
	{"App Login Problem", "The companion app will not sign in.", 14, "support",
	 LIST("Cannot log in to the {product} app", "{product} app keeps signing me out"),
	 "I [cannot sign in to|keep getting logged out of] the app for my {product} [since the last update|after I changed my password|on my new phone]. [Please help me get back in.|What should I do?]", "Smart Home|Wearables|Headphones"},
	{"Overheating", "The device gets hot during normal use.", 32, "warranty",
	 LIST("{product} gets very hot", "{product} overheating"),
	 "My {product} [gets too hot to touch|shuts down because of the heat|smells of hot plastic] [after ten minutes of use|while charging|when I use it for long]. [Is it safe?|I want a replacement.]", "Kitchen Appliances|Laptops & Tablets|Smart Home"},
	{"Missing Accessory", "An accessory listed with the product is not in the box.", 18, "return",
	 LIST("{product} missing [charger|cable|accessory]", "No [charger|remote|stand] in the {product} box"),
	 "The box of my {product} did not contain [the charger|the charging cable|the stand|the remote] that the listing shows. [Please send it.|How do I get the missing part?]", NULL},
	{"Installation Scheduling", "The customer needs an installation appointment.", 18, "installation",
	 LIST("Book installation for {product}", "Installation appointment for my {product}"),
	 "My {product} [arrived|was delivered] [yesterday|this week] and [I need someone to install it|the installation was never scheduled]. [When can a technician come?|Please book a visit.]", "Smart Home|Kitchen Appliances"},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

static const crmw_policy b2c_policies[] = {
	{"return", "Return Window", "How long returns are accepted",
	 "Unopened or defective items can be returned within 45 days of delivery for a full refund.",
	 "Returns are only accepted within 7 days of delivery.",
	 (const crmw_qa[]){{"[How long do I have to return an unopened or defective item?|What is the return window?|Until when can I return something unopened?]", "within 45 days of delivery for a full refund"},
			   {"[Which items can be returned for a full refund?|Can I return an item for a full refund if it is defective?]", "unopened or defective items"},
			   QA_END}},
	{"refund", "Refund Timing", "When refunds arrive",
	 "Refunds are processed within 3 business days of receiving the return and go back to the original payment method.",
	 "Refunds take 6 weeks to process.",
	 (const crmw_qa[]){{"[How quickly is a refund processed once my return arrives?|When is my refund processed?|How long do refunds take?]", "within 3 business days of receiving the return"},
			   {"[Where does my refund go?|Is the refund paid back to my card?]", "to the original payment method"},
			   QA_END}},
	{"warranty", "Manufacturer Warranty", "What the warranty covers",
	 "Electronics carry a 2 year warranty covering battery and charging faults; faulty devices are replaced.",
	 "Battery faults are considered normal wear and are not covered by the warranty.",
	 (const crmw_qa[]){{"[How long is the warranty on electronics?|What warranty do your devices have?|Is a battery fault covered, and for how long?]", "2 years, covering battery and charging faults"},
			   {"[What happens to a faulty device under warranty?|Is a faulty device repaired or replaced?]", "faulty devices are replaced"},
			   QA_END}},
	{"support", "Technical Support", "Getting technical help",
	 "Technical support is free for the life of the device by chat, e-mail or phone.",
	 "Technical support is only free during the first 30 days; after that it costs $29 per call.",
	 (const crmw_qa[]){{"[Is technical support free?|Do I pay for technical help?|How long is technical support free?]", "free for the life of the device by chat, e-mail or phone"},
			   {"[How can I reach technical support?|Which channels does technical support use?]", "by chat, e-mail or phone"},
			   QA_END}},
	{"shipping", "Delivery Guarantee", "Late deliveries",
	 "Orders delivered later than promised get their shipping fee refunded and a $10 voucher.",
	 "Late deliveries do not qualify for any refund or voucher.",
	 (const crmw_qa[]){{"[What do I get if my order is delivered late?|Is there compensation for a late delivery?]", "the shipping fee is refunded plus a $10 voucher"},
			   {"[How much is the late delivery voucher worth?|What voucher do I get for a late order?]", "$10"},
			   QA_END}},
	{"cancellation", "Subscription Cancellation", "Cancelling app subscriptions",
	 "App subscriptions can be cancelled at any time; charges made after cancellation are refunded in full.",
	 "Subscriptions cannot be refunded once charged, even after cancellation.",
	 (const crmw_qa[]){{"[Can I cancel an app subscription and get charges refunded?|What happens to charges after I cancel my subscription?]", "yes, at any time; charges made after cancellation are refunded in full"},
			   {"[When can I cancel my app subscription?|Is there a minimum term for app subscriptions?]", "at any time"},
			   QA_END}},
	{"price_match", "Price Match Promise", "Matching lower prices",
	 "We match a lower advertised price from a major retailer within 14 days of purchase and refund the difference.",
	 "[We do not match other stores' prices.|Price matching only applies on the day of purchase, not later.]",
	 (const crmw_qa[]){{"[Do you match lower prices from other stores?|Will you match a cheaper price I found elsewhere?]", "yes, a lower advertised price from a major retailer within 14 days of purchase"},
			   {"[How long after buying can I ask for a price match?|Within how many days can I request a price match?]", "within 14 days of purchase"},
			   QA_END}},
	{"installation", "Installation Service", "Booking an installation",
	 "Installation of smart home and kitchen appliances is free and is scheduled within 7 days of delivery, with a 2 hour arrival window.",
	 "[Installation costs $89 and the next slot is in 3 weeks.|We do not install appliances; you will need to hire someone.]",
	 (const crmw_qa[]){{"[Is installation free?|Do I pay for the installation of my appliance?|How much does installation cost?]", "installation of smart home and kitchen appliances is free"},
			   {"[How soon is installation scheduled?|When will my installation happen after delivery?]", "within 7 days of delivery"},
			   {"[How long is the arrival window for an installation?|How precise is the installer's arrival time?]", "a 2 hour arrival window"},
			   QA_END}},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---------------------------------------------------------- profiles */

static const char *const retail_lines[] = {"Apex", "Vista", "Nimbus", "Summit", "Breeze", "Pulse", "Horizon", "Quest", "Ridge", "Comet", NULL};
static const char *const b2b_lines[] = {"Cloud", "Edge", "Nova", "Prime", "Core", "Ultra", "Vector", "Atlas", "Quantum", "Helix", NULL};
static const char *const b2c_lines[] = {"Air", "Neo", "Prime", "Ultra", "Lumen", "Echo", "Zen", "Orbit", "Aura", "Spark", NULL};
static const char *const b2b_competitors[] = {"Altair Dynamics", "Keystone Simulation", "MeshWorks", "Polaris CAE", "Tessellate Systems", "Northbeam Engineering", "Cirrus Analytics", "Forge Digital", NULL};
static const char *const b2c_competitors[] = {"Voltmart", "Gadget Harbor", "BrightBuy", "Nimbus Electronics", "TechNest", "Circuit Lane", "HomeWave", "Pixel Depot", NULL};
static const char *const b2b_topics[] = {"pricing", "integration with existing tools", "delivery timeline", "training needs", "support coverage", "performance benchmarks", "security and compliance", "licensing terms", "migration effort", "return on investment", NULL};
static const char *const b2c_topics[] = {"pricing", "delivery timeline", "warranty terms", "battery life", "setup effort", "support coverage", "financing options", "trade-in value", "product reviews", "accessory bundle", NULL};

const crmw_profile crmw__profiles[] = {
	{"crmarena", 1, "Shoes & Clothings", "shoesandclothings.example", retail_categories, retail_issues, retail_policies,
	 retail_lines, NULL, NULL, 0},
	{"b2b", 2, "Vertex Engineering", "vertex-eng.example", b2b_categories, b2b_issues, b2b_policies, b2b_lines,
	 b2b_competitors, b2b_topics, 1},
	{"b2c", 4, "Brightline Electronics", "brightline.example", b2c_categories, b2c_issues, b2c_policies, b2c_lines,
	 b2c_competitors, b2c_topics, 0},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
