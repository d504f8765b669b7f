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
	"Bruno", "Alma", "Caleb", "Dara", "Emil",
};
const size_t crmw__n_first_names = CRMW_ARRAY_LEN(crmw__first_names);

const char *const crmw__last_names[] = {
	"Nguyen", "Garcia", "Smith", "Patel", "Kim", "Okafor", "Rossi", "Muller", "Silva", "Cohen",
	"Tanaka", "Ivanova", "Brown", "Haddad", "Larsen", "Moreau", "Singh", "Lopez", "Walsh", "Novak",
	"Fischer", "Reyes", "Chen", "Adeyemi", "Bianchi", "Kowalski", "Dubois", "Sato", "Mensah", "Ortiz",
	"Hughes", "Lindqvist", "Ahmed", "Costa", "Schmidt", "Park", "Murphy", "Varga", "Ito", "Hansen",
};
const size_t crmw__n_last_names = CRMW_ARRAY_LEN(crmw__last_names);

const crmw_state crmw__states[] = {
	{"CA", "Los Angeles"}, {"NY", "Brooklyn"}, {"TX", "Austin"}, {"FL", "Miami"}, {"WA", "Seattle"},
	{"IL", "Chicago"}, {"MA", "Boston"}, {"CO", "Denver"}, {"GA", "Atlanta"}, {"AZ", "Phoenix"},
	{"OR", "Portland"}, {"NC", "Charlotte"}, {"MN", "Minneapolis"}, {"PA", "Philadelphia"},
	{"MI", "Detroit"}, {"NV", "Las Vegas"},
};
const size_t crmw__n_states = CRMW_ARRAY_LEN(crmw__states);

/* ------------------------------------------------------------ crmarena */

static const crmw_category retail_categories[] = {
	{"Running Footwear", (const char *const[]){"Trail Runner", "Road Racer", "Stability Trainer", "Track Spike", "Recovery Slide", NULL},
	 (const char *const[]){"Women's", "Men's", "Kids'", NULL}, 60, 180,
	 (const char *const[]){"a cushioned midsole foam", "a grippy rubber outsole", "a breathable mesh upper", "a reflective heel tab", NULL}},
	{"Outerwear", (const char *const[]){"Rain Jacket", "Trail Jacket", "Insulated Parka", "Wind Shell", "Fleece Vest", NULL},
	 (const char *const[]){"Women's", "Men's", "Packable", NULL}, 70, 260,
	 (const char *const[]){"a waterproof breathable membrane", "sealed seams", "a two-way zipper", "an adjustable hood", NULL}},
	{"Fitness Apparel", (const char *const[]){"Fitness Leggings", "Training Tee", "Sports Bra", "Running Shorts", "Compression Top", NULL},
	 (const char *const[]){"Women's", "Men's", "Seamless", NULL}, 25, 90,
	 (const char *const[]){"sweat-wicking fabric", "four-way stretch", "flat-lock seams", "a hidden key pocket", NULL}},
	{"Golf", (const char *const[]){"Golf Shoes", "Golf Glove", "Golf Polo", "Rangefinder", "Golf Umbrella", NULL},
	 (const char *const[]){"Tour", "Classic", "Women's", NULL}, 20, 240,
	 (const char *const[]){"advanced sole technology", "waterproof leather", "a soft cabretta palm", "laser distance readings", NULL}},
	{"Swimming", (const char *const[]){"Swim Goggles", "Swim Cap", "Training Fins", "Racing Swimsuit", "Kickboard", NULL},
	 (const char *const[]){"Anti-Fog", "Waterproof", "Junior", NULL}, 10, 120,
	 (const char *const[]){"anti-fog lenses", "chlorine-resistant fabric", "a silicone seal", "UV protection", NULL}},
	{"Outdoor Gear", (const char *const[]){"Hiking Backpack", "Trekking Poles", "Headlamp", "Water Filter", "Camp Stove", NULL},
	 (const char *const[]){"Ultralight", "Expedition", "Compact", NULL}, 30, 220,
	 (const char *const[]){"an aluminium frame", "a rechargeable battery", "a hydration sleeve", "carbon fibre shafts", NULL}},
	{"Cycling", (const char *const[]){"Cycling Jersey", "Bike Helmet", "Bike Lights Set", "Padded Bib Shorts", "Cycling Gloves", NULL},
	 (const char *const[]){"Aero", "Commuter", "Women's", NULL}, 25, 200,
	 (const char *const[]){"MIPS impact protection", "a full-length zip", "USB charging", "a chamois pad", NULL}},
	{"Team Sports", (const char *const[]){"Soccer Ball", "Basketball", "Shin Guards", "Goalkeeper Gloves", "Training Cones", NULL},
	 (const char *const[]){"Match", "Pro", "Youth", NULL}, 12, 110,
	 (const char *const[]){"a butyl bladder", "thermo-bonded panels", "latex palms", "a moulded shell", NULL}},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static const crmw_issue retail_issues[] = {
	{"Broken Zipper", "A zipper that splits, sticks or comes off.", 30, "warranty",
	 (const char *const[]){"[Broken|Stuck|Split] zipper on my {product}", "The zipper of my {product} [broke|came off|will not close]", NULL},
	 "[I bought|I recently purchased|I ordered] the {product} and [after a few uses|within a week|on the first hike] the zipper [split open|got stuck|came off]. [I would like a replacement.|Can you help?|Please advise.]", "Outerwear|Fitness Apparel"},
	{"Sole Separation", "The sole of a shoe peels away from the upper.", 48, "warranty",
	 (const char *const[]){"Sole [coming off|separating|peeling away] on {product}", "{product}: sole [detached|separated]", NULL},
	 "[The sole of my|My] {product} started [peeling|coming away] from the upper after [two weeks|a month|only a few runs]. [This should not happen.|I expected better quality.|What are my options?]", "Running Footwear|Golf"},
	{"Late Delivery", "An order arrives after the promised date.", 20, "shipping",
	 (const char *const[]){"[Order|Package] for {product} [has not arrived|is late]", "Where is my {product}?", NULL},
	 "[My order|The package] with the {product} was [due|promised] [last week|five days ago|by Monday] and [still has not arrived|tracking shows no movement]. [Please check.|Can you tell me where it is?]", NULL},
	{"Wrong Size", "The item does not fit as the size chart suggests.", 18, "exchange",
	 (const char *const[]){"{product} [runs small|runs large|does not fit]", "Need a different size of {product}", NULL},
	 "[The|My] {product} [runs a full size small|is far too large|does not match the size chart]. [I would like to exchange it.|Can I swap it for another size?]", "Running Footwear|Outerwear|Fitness Apparel"},
	{"Incorrect Item Received", "The package holds a different item than ordered.", 24, "return",
	 (const char *const[]){"Incorrect item received instead of {product}", "Wrong item in my {product} order", NULL},
	 "I [ordered|recently ordered] a {product}, but [I received a completely different item|the box contained something else]. [I need the correct {product} as soon as possible.|Please send the right item.]", NULL},
	{"Defective Fabric", "Fabric pills, tears or loses colour early.", 36, "warranty",
	 (const char *const[]){"{product} fabric [pilling|tearing|fading]", "Poor fabric quality on {product}", NULL},
	 "The fabric of my {product} [started pilling|tore at the seam|faded] after [one wash|a few wears|two weeks]. [Is this covered?|I want a refund or a replacement.]", "Fitness Apparel|Outerwear|Swimming"},
	{"Refund Delay", "A refund has not reached the customer.", 28, "refund",
	 (const char *const[]){"Refund for {product} not received", "Still waiting for my {product} refund", NULL},
	 "I returned the {product} [two weeks ago|last month|on the 3rd] and [have not seen the refund yet|the refund is still pending]. [When will I get my money back?|Please look into it.]", NULL},
	{"Cancellation Problem", "The customer cannot cancel an order.", 16, "cancellation",
	 (const char *const[]){"Unable to cancel order for {product}", "Cancel my {product} order", NULL},
	 "I [placed an order|ordered] for the {product} and [I am trying to cancel it|want to cancel it], but [the website will not let me|the button is greyed out]. [Please cancel it for me.|Can you help?]", NULL},
	{"Missing Parts", "Parts or accessories are missing from the box.", 22, "return",
	 (const char *const[]){"Parts missing from {product}", "{product} arrived incomplete", NULL},
	 "[My|The] {product} arrived [without|missing] [the charging cable|one of the straps|the instructions|the carry bag]. [Can you send the missing part?|Please advise.]", "Outdoor Gear|Cycling|Golf|Team Sports|Swimming"},
	{"Damaged in Transit", "The item arrived damaged.", 26, "return",
	 (const char *const[]){"{product} arrived damaged", "Damaged box and {product}", NULL},
	 "The {product} arrived [with a crushed box|scratched|broken] [and I cannot use it|this morning]. [I would like a replacement.|How do I return it?]", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

/* Policies: an article states the rule, a violation contradicts it. */
static const crmw_policy retail_policies[] = {
	{"return", "Return Policy", "Returns and refunds",
	 "Items in unused condition can be returned within 30 days of delivery for a full refund. Footwear can be returned within 30 days even if tried on indoors.",
	 "[Unfortunately|Sorry, but] [we only accept returns within 14 days of delivery|returns are only possible within a week of delivery], so I cannot accept this return."},
	{"refund", "Refund Processing Times", "When refunds arrive",
	 "Refunds are issued to the original payment method within 5 to 7 business days after the returned item reaches our warehouse.",
	 "Refunds can take up to 30 business days to appear, so there is nothing I can do until then."},
	{"warranty", "Product Warranty", "What the warranty covers",
	 "All footwear and outerwear carry a 12 month warranty against manufacturing defects such as sole separation, seam failure and broken zippers. Defective items are replaced free of charge.",
	 "[Our warranty only covers the first 30 days|Manufacturing defects are not covered after 30 days], so this is not eligible for a free replacement."},
	{"exchange", "Size Exchanges", "Exchanging for another size",
	 "Size exchanges are free within 60 days of delivery, including return shipping.",
	 "Size exchanges cost a $15 handling fee, which will be deducted from your account."},
	{"shipping", "Late Delivery Compensation", "What happens when an order is late",
	 "If an order arrives more than 5 days after the promised date, the shipping fee is refunded automatically.",
	 "We do not refund shipping fees for late deliveries under any circumstances."},
	{"cancellation", "Order Cancellation", "Cancelling an order",
	 "Orders can be cancelled free of charge within 24 hours of purchase, as long as they have not shipped.",
	 "Orders cannot be cancelled once they are placed, even within the first hour."},
	{"store_credit", "Store Credit", "Choosing store credit instead of a refund",
	 "Customers who prefer store credit must request it within 90 days from the purchase date; store credit never expires.",
	 "Store credit has to be requested within 10 days of purchase and expires after 3 months."},
	{NULL, NULL, NULL, NULL, NULL},
};

/* ----------------------------------------------------------------- b2b */

static const crmw_category b2b_categories[] = {
	{"Simulation Software", (const char *const[]){"FlowSim", "StressLab", "ThermaCalc", "WaveSolver", "CrashLab", NULL},
	 (const char *const[]){"Standard", "Professional", "Enterprise", NULL}, 1200, 18000,
	 (const char *const[]){"a GPU-accelerated solver", "automatic meshing", "cloud batch runs", "a Python scripting API", NULL}},
	{"CAD Software", (const char *const[]){"DraftPoint", "PartForge", "SurfaceWorks", "AssemblyPro", NULL},
	 (const char *const[]){"Seat", "Floating Seat", "Team", NULL}, 800, 9000,
	 (const char *const[]){"parametric modelling", "a drawing generator", "PDM integration", "sheet metal tools", NULL}},
	{"Test Hardware", (const char *const[]){"Data Logger", "Strain Gauge Kit", "Vibration Sensor", "Thermal Camera", "Signal Conditioner", NULL},
	 (const char *const[]){"8-Channel", "16-Channel", "Rugged", NULL}, 400, 12000,
	 (const char *const[]){"24-bit sampling", "an IP67 enclosure", "EtherCAT output", "a 10 kHz bandwidth", NULL}},
	{"Compute Appliances", (const char *const[]){"Solver Node", "Render Workstation", "Storage Array", "HPC Rack", NULL},
	 (const char *const[]){"Compact", "Performance", "Max", NULL}, 3500, 60000,
	 (const char *const[]){"dual 64-core processors", "512 GB of memory", "redundant power supplies", "NVMe storage", NULL}},
	{"Services", (const char *const[]){"Onboarding Package", "Training Course", "Premium Support Plan", "Migration Service", NULL},
	 (const char *const[]){"Starter", "Standard", "Extended", NULL}, 500, 25000,
	 (const char *const[]){"a named engineer", "on-site sessions", "a 4 hour response time", "custom templates", NULL}},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static const crmw_issue b2b_issues[] = {
	{"License Activation Failure", "A license key or server will not activate.", 10, "licensing",
	 (const char *const[]){"Cannot activate {product} license", "{product} license server error", NULL},
	 "Our team [cannot activate|lost activation of] {product} [after the upgrade|on the new workstations|since Monday]. [The error code is LIC-204.|The license server refuses connections.] [Please help urgently.|We are blocked.]", "Simulation Software|CAD Software"},
	{"Solver Crash", "The software stops during a run.", 30, "support",
	 (const char *const[]){"{product} crashes during solve", "Solver run aborts in {product}", NULL},
	 "[Runs in|Jobs on] {product} [crash|abort] [at about 60 percent|when meshing large models|with an out-of-memory message]. [This is delaying a customer delivery.|Please advise on a fix.]", "Simulation Software|CAD Software|Compute Appliances"},
	{"Hardware Fault", "A device fails or gives wrong readings.", 48, "rma",
	 (const char *const[]){"{product} not powering on", "Wrong readings from {product}", NULL},
	 "Our {product} [stopped powering on|reports values that drift|shows a calibration error] [after two months in the lab|since the last firmware update]. [We need a replacement.|Can you arrange a repair?]", "Test Hardware|Compute Appliances"},
	{"Billing Discrepancy", "An invoice does not match the contract.", 24, "billing",
	 (const char *const[]){"Invoice does not match {product} contract", "Billing question about {product}", NULL},
	 "The invoice for {product} [lists more seats than we signed for|uses the wrong unit price|was charged twice]. [Please correct it.|Can you send a revised invoice?]", NULL},
	{"Integration Issue", "The product does not work with another system.", 36, "support",
	 (const char *const[]){"{product} integration with PDM failing", "{product} API returns errors", NULL},
	 "[Our integration between|The connector from] {product} [and our PDM system|to our CI pipeline] [fails with a timeout|returns error 500]. [Please investigate.|Is there a known issue?]", "Simulation Software|CAD Software|Test Hardware"},
	{"Delivery Delay", "Hardware or a service start is late.", 20, "shipping",
	 (const char *const[]){"{product} delivery delayed", "Still waiting for {product}", NULL},
	 "The {product} we ordered was due [two weeks ago|last Friday] and [has not shipped|the start date keeps moving]. [Please give us a firm date.|This affects our project plan.]", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

static const crmw_policy b2b_policies[] = {
	{"licensing", "License Transfer Policy", "Moving licenses between machines",
	 "Node-locked licenses can be transferred to a new machine up to 4 times per year at no cost through the license portal.",
	 "License transfers are not allowed; you would have to buy a new license for the new machine."},
	{"support", "Support Response Times", "How fast support answers",
	 "Premium customers receive a first response within 4 business hours for critical issues and within 1 business day for all others.",
	 "Critical issues are answered within 5 business days, whatever your plan."},
	{"rma", "Hardware Return Authorization", "Returning faulty hardware",
	 "Faulty hardware can be returned under an RMA within 90 days of delivery for repair or replacement; shipping is paid by us.",
	 "Hardware returns are only accepted within 14 days and the customer pays the shipping."},
	{"billing", "Invoice Corrections", "Fixing invoice errors",
	 "Invoice errors reported within 60 days are corrected with a credit note within 10 business days.",
	 "We cannot correct invoices after they are issued; the amount has to be paid as billed."},
	{"shipping", "Delivery Commitments", "What we promise on delivery",
	 "Hardware ships within 15 business days of order confirmation; late shipments earn a 5 percent credit.",
	 "There is no delivery commitment and no credit for late shipments."},
	{NULL, NULL, NULL, NULL, NULL},
};

/* ----------------------------------------------------------------- b2c */

static const crmw_category b2c_categories[] = {
	{"Headphones", (const char *const[]){"Wireless Earbuds", "Over-Ear Headphones", "Sport Earphones", "Studio Monitors", NULL},
	 (const char *const[]){"Noise-Cancelling", "Compact", "Pro", NULL}, 40, 400,
	 (const char *const[]){"active noise cancelling", "a 30 hour battery", "a wireless charging case", "sweat resistance", NULL}},
	{"Smart Home", (const char *const[]){"Smart Speaker", "Video Doorbell", "Smart Thermostat", "Security Camera", "Smart Plug", NULL},
	 (const char *const[]){"Mini", "Plus", "Outdoor", NULL}, 25, 300,
	 (const char *const[]){"voice control", "night vision", "energy reports", "a 1080p sensor", NULL}},
	{"Kitchen Appliances", (const char *const[]){"Air Fryer", "Espresso Machine", "Blender", "Stand Mixer", "Toaster Oven", NULL},
	 (const char *const[]){"Digital", "Classic", "XL", NULL}, 50, 600,
	 (const char *const[]){"a 15 bar pump", "a stainless steel bowl", "eight preset programmes", "a ceramic coating", NULL}},
	{"Wearables", (const char *const[]){"Fitness Tracker", "Smartwatch", "Sleep Band", "GPS Watch", NULL},
	 (const char *const[]){"Active", "Lite", "Titanium", NULL}, 60, 500,
	 (const char *const[]){"a heart rate sensor", "built-in GPS", "a 7 day battery", "water resistance to 50 m", NULL}},
	{"Laptops & Tablets", (const char *const[]){"Laptop", "Tablet", "2-in-1 Notebook", "E-Reader", NULL},
	 (const char *const[]){"13-inch", "15-inch", "Pro", NULL}, 100, 2200,
	 (const char *const[]){"a backlit keyboard", "an OLED display", "16 GB of memory", "a stylus", NULL}},
	{NULL, NULL, NULL, 0, 0, NULL},
};

static const crmw_issue b2c_issues[] = {
	{"Device Not Charging", "The device will not charge or hold a charge.", 30, "warranty",
	 (const char *const[]){"{product} not charging", "{product} battery drains fast", NULL},
	 "My {product} [stopped charging|drains in an hour|will not turn on] [after a month|since yesterday|after an update]. [I need a fix.|Is this covered?]", "Headphones|Smart Home|Wearables|Laptops & Tablets"},
	{"Connectivity Problem", "Bluetooth or Wi-Fi pairing fails.", 20, "support",
	 (const char *const[]){"{product} will not connect", "Pairing problem with {product}", NULL},
	 "The {product} [keeps dropping|will not pair with] [my phone|the Wi-Fi|the app]. [I have tried resetting it.|Please help.]", "Headphones|Smart Home|Wearables|Laptops & Tablets"},
	{"Late Delivery", "An order arrives after the promised date.", 20, "shipping",
	 (const char *const[]){"{product} order is late", "Where is my {product}?", NULL},
	 "My {product} was [due last week|promised for Monday] and [has not arrived|tracking has not updated]. [Please check.|What is happening?]", NULL},
	{"Damaged on Arrival", "The item arrived damaged.", 26, "return",
	 (const char *const[]){"{product} arrived damaged", "Cracked {product} in the box", NULL},
	 "The {product} arrived [with a cracked screen|dented|broken] [this morning|yesterday]. [I want a replacement.|How do I return it?]", NULL},
	{"Refund Delay", "A refund has not reached the customer.", 28, "refund",
	 (const char *const[]){"Refund for {product} not received", "Waiting for {product} refund", NULL},
	 "I sent the {product} back [two weeks ago|last month] and [still have no refund|the refund shows as pending]. [When will it arrive?|Please check.]", NULL},
	{"Subscription Billing", "The customer is charged for an app subscription they did not expect.", 16, "cancellation",
	 (const char *const[]){"Unexpected subscription charge for {product}", "Cancel {product} subscription", NULL},
	 "I was charged [for the premium plan|twice] of my {product} app [although I cancelled|without agreeing]. [Please refund it.|Cancel it now.]", "Smart Home|Wearables"},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL},
};

static const crmw_policy b2c_policies[] = {
	{"return", "Return Window", "How long returns are accepted",
	 "Unopened or defective items can be returned within 45 days of delivery for a full refund.",
	 "Returns are only accepted within 7 days of delivery."},
	{"refund", "Refund Timing", "When refunds arrive",
	 "Refunds are processed within 3 business days of receiving the return.",
	 "Refunds take 6 weeks to process."},
	{"warranty", "Manufacturer Warranty", "What the warranty covers",
	 "Electronics carry a 2 year warranty covering battery and charging faults; faulty devices are replaced.",
	 "Battery faults are considered normal wear and are not covered by the warranty."},
	{"support", "Technical Support", "Getting technical help",
	 "Technical support is free for the life of the device by chat, e-mail or phone.",
	 "Technical support is only free during the first 30 days; after that it costs $29 per call."},
	{"shipping", "Delivery Guarantee", "Late deliveries",
	 "Orders delivered later than promised get their shipping fee refunded and a $10 voucher.",
	 "Late deliveries do not qualify for any refund or voucher."},
	{"cancellation", "Subscription Cancellation", "Cancelling app subscriptions",
	 "App subscriptions can be cancelled at any time; charges made after cancellation are refunded in full.",
	 "Subscriptions cannot be refunded once charged, even after cancellation."},
	{NULL, NULL, NULL, NULL, NULL},
};

/* ---------------------------------------------------------- profiles */

const crmw_profile crmw__profiles[] = {
	{"crmarena", 1, "Shoes & Clothings", "shoesandclothings.example", retail_categories, retail_issues, retail_policies},
	{"b2b", 2, "Vertex Engineering", "vertex-eng.example", b2b_categories, b2b_issues, b2b_policies},
	{"b2c", 4, "Brightline Electronics", "brightline.example", b2c_categories, b2c_issues, b2c_policies},
	{NULL, 0, NULL, NULL, NULL, NULL, NULL},
};
