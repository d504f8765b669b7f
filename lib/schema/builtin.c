/*
 * The built-in schema sets: "crmarena" (16 objects), "b2b" and "b2c" (27
 * objects each).  Object and field API names, references and picklist values
 * follow the published CRMArena and CRMArena-Pro orgs; labels and
 * descriptions are this project's own, written for an agent reading them in
 * its prompt.  One table serves the three sets: every entry carries the sets
 * it belongs to.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "schema/internal.h"

#include <stdio.h>
#include <string.h>

enum { C = 1, B = 2, P = 4, PRO = B | P, ALL = C | B | P };
/* Field flags. */
enum { RESTR = 1, REQ = 2, UNIQ = 4, IDX = 8 };

typedef struct bfield {
	uint8_t sets;
	const char *name;
	int32_t type;
	const char *refs;  /* "Case|Opportunity" */
	const char *pick;  /* "New|Working|Closed" */
	uint8_t flags;
	const char *child; /* NULL: derived; "": no child relationship */
	const char *desc;
} bfield;

typedef struct bobject {
	uint8_t sets;
	const char *name;
	const char *prefix;
	const char *label;
	const char *plural;
	const char *desc;
	const bfield *fields;
} bobject;

#define T(x) CRMW_FIELD_##x
#define END {0, NULL, 0, NULL, NULL, 0, NULL, NULL}

static const bfield user_f[] = {
	{ALL, "FirstName", T(STRING), 0, 0, 0, 0, "Given name of the employee (a support agent, sales rep or manager)."},
	{ALL, "LastName", T(STRING), 0, 0, REQ, 0, "Family name of the employee."},
	{ALL, "Email", T(EMAIL), 0, 0, 0, 0, "Work e-mail address of the employee."},
	{ALL, "Phone", T(PHONE), 0, 0, 0, 0, "Work phone number of the employee."},
	{ALL, "Username", T(STRING), 0, 0, UNIQ, 0, "Login name, unique across the org, shaped like an e-mail address."},
	{ALL, "Alias", T(STRING), 0, 0, 0, 0, "Short handle of the employee, usually built from the name."},
	{ALL, "ProfileId", T(STRING), 0, 0, 0, 0, "Id of the permission profile the employee signs in with."},
	{ALL, "LanguageLocaleKey", T(STRING), 0, 0, 0, 0, "Language of the user interface, such as en_US."},
	{ALL, "EmailEncodingKey", T(STRING), 0, 0, 0, 0, "Character encoding of outgoing e-mail, such as UTF-8."},
	{ALL, "TimeZoneSidKey", T(STRING), 0, 0, 0, 0, "Time zone of the employee, such as America/New_York."},
	{ALL, "LocaleSidKey", T(STRING), 0, 0, 0, 0, "Locale used to format dates and numbers, such as en_US."},
	END,
};

static const bfield account_f[] = {
	{B | P, "Name", T(STRING), 0, 0, 0, 0, "Display name of the account: the company (B2B) or the customer's full name (B2C)."},
	{C | P, "FirstName", T(STRING), 0, 0, 0, 0, "Given name of the customer this person account stands for."},
	{C | P, "LastName", T(STRING), 0, 0, 0, 0, "Family name of the customer this person account stands for."},
	{C | P, "PersonEmail", T(EMAIL), 0, 0, 0, 0, "Personal e-mail address of the customer."},
	{ALL, "Phone", T(PHONE), 0, 0, 0, 0, "Main phone number of the account."},
	{C, "RecordTypeId", T(STRING), 0, 0, 0, 0, "Id of the record type; person accounts share one record type."},
	{C, "ShippingCity", T(STRING), 0, 0, 0, 0, "City that orders of this customer ship to."},
	{ALL, "ShippingState", T(STRING), 0, 0, 0, 0, "Two-letter US state code that orders ship to; it is the region of the account's cases."},
	{B | P, "Description", T(TEXTAREA), 0, 0, 0, 0, "Free-text notes about the account."},
	{B, "Industry", T(PICKLIST), 0, "Technology|Manufacturing|Energy|Construction|Aerospace|Automotive|Healthcare|Education|Government|Finance|Retail|Telecommunications|Transportation|Utilities", 0, 0, "Industry the company works in."},
	{B, "NumberOfEmployees", T(INT), 0, 0, 0, 0, "Head count of the company."},
	END,
};

static const bfield contact_f[] = {
	{C | B, "FirstName", T(STRING), 0, 0, 0, 0, "Given name of the contact person."},
	{C | B, "LastName", T(STRING), 0, 0, 0, 0, "Family name of the contact person."},
	{C | B, "Email", T(EMAIL), 0, 0, 0, 0, "E-mail address of the contact person."},
	{ALL, "AccountId", T(REFERENCE), "Account", 0, 0, "Contacts", "The account (company or person account) this contact belongs to."},
	{C, "OwnerId", T(REFERENCE), "User", 0, 0, "Contacts", "The employee who owns the relationship with this contact."},
	END,
};

static const bfield case_f[] = {
	{ALL, "Subject", T(STRING), 0, 0, 0, 0, "One-line summary of the customer's problem, as first reported."},
	{ALL, "Description", T(TEXTAREA), 0, 0, 0, 0, "The customer's own account of the problem, in detail."},
	{ALL, "Status", T(PICKLIST), 0, "New|Working|Escalated|Waiting on Customer|Closed", 0, 0, "Where the case stands; a case with status Closed has a ClosedDate."},
	{ALL, "Priority", T(PICKLIST), 0, "Low|Medium|High|Critical", 0, 0, "How urgent the case is."},
	{C, "Channel", T(PICKLIST), 0, "Email|Phone|Web|Chat|Social Media", 0, 0, "How the customer reached support."},
	{ALL, "ContactId", T(REFERENCE), "Contact", 0, 0, "Cases", "The contact person who reported the case."},
	{ALL, "AccountId", T(REFERENCE), "Account", 0, 0, "Cases", "The customer account the case belongs to; its ShippingState is the case's region."},
	{ALL, "OwnerId", T(REFERENCE), "User", 0, 0, "Cases", "The agent who owns the case now (its last owner assignment; see CaseHistory__c for earlier owners)."},
	{ALL, "CreatedDate", T(DATETIME), 0, 0, IDX, 0, "When the case was opened (UTC)."},
	{ALL, "ClosedDate", T(DATETIME), 0, 0, IDX, 0, "When the case was closed (UTC); empty while it is open. Handle time is ClosedDate minus CreatedDate."},
	{ALL, "OrderItemId__c", T(REFERENCE), "OrderItem", 0, 0, "Cases__r", "The purchased order line the case is about; its Product2Id is the case's product."},
	{ALL, "IssueId__c", T(REFERENCE), "Issue__c", 0, 0, "Cases__r", "The issue category of the case's problem."},
	END,
};

static const bfield knowledge_f[] = {
	{ALL, "Title", T(STRING), 0, 0, 0, 0, "Headline of the knowledge article."},
	{ALL, "Summary", T(TEXTAREA), 0, 0, 0, 0, "Short abstract of what the article covers."},
	{ALL, "FAQ_Answer__c", T(TEXTAREA), 0, 0, 0, 0, "Body of the article: the facts and policies it states (return windows, warranty terms, discount limits, qualification criteria)."},
	{ALL, "UrlName", T(URL), 0, 0, UNIQ, 0, "Unique URL slug of the article."},
	END,
};

static const bfield category_f[] = {
	{ALL, "Name", T(STRING), 0, 0, 0, 0, "Name of the product category."},
	{ALL, "CatalogId", T(STRING), 0, 0, 0, 0, "Id of the product catalog the category is part of."},
	END,
};

static const bfield product_f[] = {
	{ALL, "Name", T(STRING), 0, 0, 0, 0, "Product name as customers see it."},
	{ALL, "Description", T(TEXTAREA), 0, 0, 0, 0, "What the product is and does."},
	{ALL, "IsActive", T(BOOLEAN), 0, 0, 0, 0, "True while the product can be sold."},
	{ALL, "External_ID__c", T(STRING), 0, 0, 0, 0, "Identifier of the product in outside systems (SKU)."},
	END,
};

static const bfield catprod_f[] = {
	/* The CRMArena schema file also lists "ProductCategory" and "Product":
	 * they are the relationship names of the two references below, not
	 * fields (an object cannot have both). */
	{ALL, "ProductCategoryId", T(REFERENCE), "ProductCategory", 0, 0, "ProductCategoryProducts", "The category."},
	{ALL, "ProductId", T(REFERENCE), "Product2", 0, 0, "ProductCategoryProducts", "The product placed in the category."},
	END,
};

static const bfield pricebook_f[] = {
	{ALL, "Name", T(STRING), 0, 0, 0, 0, "Name of the price book."},
	{ALL, "Description", T(TEXTAREA), 0, 0, 0, 0, "What the price book is for."},
	{ALL, "IsActive", T(BOOLEAN), 0, 0, 0, 0, "True while the price book's prices apply."},
	{ALL, "ValidFrom", T(DATETIME), 0, 0, 0, 0, "First moment the prices apply (UTC)."},
	{ALL, "ValidTo", T(DATETIME), 0, 0, 0, 0, "Last moment the prices apply (UTC)."},
	END,
};

static const bfield pbentry_f[] = {
	{ALL, "Pricebook2Id", T(REFERENCE), "Pricebook2", 0, 0, "PricebookEntries", "The price book holding this price."},
	{ALL, "Product2Id", T(REFERENCE), "Product2", 0, 0, "PricebookEntries", "The product being priced."},
	{ALL, "UnitPrice", T(CURRENCY), 0, 0, 0, 0, "List price of one unit of the product in this price book."},
	END,
};

static const bfield order_f[] = {
	{ALL, "AccountId", T(REFERENCE), "Account", 0, 0, "Orders", "The customer account that placed the order."},
	{ALL, "Status", T(PICKLIST), 0, "Draft|Activated", RESTR, 0, "Draft until the order is placed; Activated orders are real purchases."},
	{ALL, "EffectiveDate", T(DATE), 0, 0, IDX, 0, "The day the order took effect: the purchase date."},
	{ALL, "Pricebook2Id", T(REFERENCE), "Pricebook2", 0, 0, "Orders", "The price book the order's prices come from."},
	{PRO, "OwnerId", T(REFERENCE), "User", 0, 0, "Orders", "The sales rep who owns the order."},
	END,
};

static const bfield orderitem_f[] = {
	{ALL, "OrderId", T(REFERENCE), "Order", 0, 0, "OrderItems", "The order this line belongs to."},
	{ALL, "Product2Id", T(REFERENCE), "Product2", 0, 0, "OrderItems", "The product bought on this line."},
	{ALL, "Quantity", T(DOUBLE), 0, 0, 0, 0, "Number of units bought."},
	{ALL, "UnitPrice", T(CURRENCY), 0, 0, 0, 0, "Price paid per unit."},
	/* The published B2B org spells this field with a capital B. */
	{C | P, "PricebookEntryId", T(REFERENCE), "PricebookEntry", 0, 0, "OrderItems", "The price book entry the line was priced from."},
	{B, "PriceBookEntryId", T(REFERENCE), "PricebookEntry", 0, 0, "OrderItems", "The price book entry the line was priced from."},
	END,
};

static const bfield email_f[] = {
	{ALL, "Subject", T(STRING), 0, 0, 0, 0, "Subject line of the e-mail."},
	{ALL, "TextBody", T(TEXTAREA), 0, 0, 0, 0, "Plain-text body of the e-mail."},
	{ALL, "ParentId", T(REFERENCE), "Case", 0, 0, "EmailMessages", "The case this e-mail is part of."},
	{PRO, "RelatedToId", T(REFERENCE), "Case|Opportunity", 0, 0, "", "The record the e-mail is about: a case (then equal to ParentId) or an opportunity."},
	{ALL, "FromAddress", T(EMAIL), 0, 0, 0, 0, "Address the e-mail was sent from."},
	{ALL, "ToIds", T(STRING), 0, 0, 0, 0, "Ids of the recipients, comma-separated."},
	{ALL, "MessageDate", T(DATETIME), 0, 0, 0, 0, "When the e-mail was sent (UTC)."},
	END,
};

static const bfield chat_f[] = {
	{ALL, "CaseId", T(REFERENCE), "Case", 0, 0, "LiveChatTranscripts", "The case the chat is about."},
	{ALL, "AccountId", T(REFERENCE), "Account", 0, 0, "LiveChatTranscripts", "The customer account that chatted."},
	{ALL, "ContactId", T(REFERENCE), "Contact", 0, 0, "LiveChatTranscripts", "The contact person who chatted."},
	{ALL, "OwnerId", T(REFERENCE), "User", 0, 0, "LiveChatTranscripts", "The agent who handled the chat."},
	{ALL, "Body", T(TEXTAREA), 0, 0, 0, 0, "Full transcript of the chat, turn by turn."},
	{ALL, "EndTime", T(DATETIME), 0, 0, 0, 0, "When the chat ended (UTC)."},
	{ALL, "LiveChatVisitorId", T(STRING), 0, 0, 0, 0, "Id of the web visitor session that started the chat."},
	END,
};

static const bfield issue_f[] = {
	{ALL, "Name", T(STRING), 0, 0, 0, 0, "Name of the issue category, such as a defect or a delivery problem."},
	{C | P, "Description__c", T(TEXTAREA), 0, 0, 0, 0, "What problems belong to this issue category."},
	{B, "IssueDescription__c", T(TEXTAREA), 0, 0, 0, 0, "What problems belong to this issue category."},
	END,
};

static const bfield history_f[] = {
	{ALL, "CaseId__c", T(REFERENCE), "Case", 0, 0, "Histories__r", "The case this history row belongs to."},
	{ALL, "Field__c", T(PICKLIST), 0, "Case Creation|Owner Assignment|Case Closed", RESTR, 0, "What happened. Owner Assignment rows record each owner; a case with more than one was transferred."},
	{ALL, "OldValue__c", T(REFERENCE), "User", 0, 0, "", "For Owner Assignment: the previous owner (empty for the first assignment). Empty for other rows."},
	{ALL, "NewValue__c", T(REFERENCE), "User", 0, 0, "", "For Owner Assignment: the new owner. Empty for other rows."},
	{ALL, "CreatedDate", T(DATETIME), 0, 0, IDX, 0, "When it happened (UTC)."},
	END,
};

static const bfield opportunity_f[] = {
	{PRO, "Name", T(STRING), 0, 0, 0, 0, "Name of the deal."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "What the customer wants to buy and why."},
	{PRO, "AccountId", T(REFERENCE), "Account", 0, 0, "Opportunities", "The customer account of the deal."},
	{PRO, "ContactId", T(REFERENCE), "Contact", 0, 0, "Opportunities", "The customer's contact person for the deal."},
	{PRO, "OwnerId", T(REFERENCE), "User", 0, 0, "Opportunities", "The sales rep who owns the deal."},
	{PRO, "ContractID__c", T(REFERENCE), "Contract", 0, 0, "Opportunities__r", "The contract the deal produced, once there is one."},
	{PRO, "StageName", T(PICKLIST), 0, "Qualification|Discovery|Quote|Negotiation|Closed", RESTR, 0, "Sales stage; it should agree with the deal's tasks and events."},
	{PRO, "Amount", T(CURRENCY), 0, 0, 0, 0, "Expected value of the deal."},
	{PRO, "Probability", T(PERCENT), 0, 0, 0, 0, "Estimated chance of winning, in percent."},
	{PRO, "CloseDate", T(DATE), 0, 0, 0, 0, "Day the deal is expected to close."},
	{PRO, "CreatedDate", T(DATETIME), 0, 0, IDX, 0, "When the opportunity was opened (UTC); the start of its sales cycle."},
	END,
};

static const bfield oli_f[] = {
	{PRO, "OpportunityId", T(REFERENCE), "Opportunity", 0, 0, "OpportunityLineItems", "The opportunity this line belongs to."},
	{PRO, "Product2Id", T(REFERENCE), "Product2", 0, 0, "OpportunityLineItems", "The product offered."},
	{PRO, "PricebookEntryId", T(REFERENCE), "PricebookEntry", 0, 0, "OpportunityLineItems", "The price book entry the line is priced from."},
	{PRO, "Quantity", T(DOUBLE), 0, 0, 0, 0, "Number of units."},
	{PRO, "TotalPrice", T(CURRENCY), 0, 0, 0, 0, "Quantity times unit price, less any discount."},
	END,
};

static const bfield quote_f[] = {
	{PRO, "Name", T(STRING), 0, 0, 0, 0, "Name of the quote."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "Terms and notes of the quote."},
	{PRO, "OpportunityId", T(REFERENCE), "Opportunity", 0, 0, "Quotes", "The opportunity the quote was made for."},
	{PRO, "AccountId", T(REFERENCE), "Account", 0, 0, "Quotes", "The customer account quoted."},
	{PRO, "ContactId", T(REFERENCE), "Contact", 0, 0, "Quotes", "The customer's contact person for the quote."},
	{PRO, "Status", T(PICKLIST), 0, "Draft|Needs Review|In Review|Approved|Rejected|Presented|Accepted|Denied", RESTR, 0, "Where the quote stands; Accepted means the customer agreed to it."},
	{PRO, "CreatedDate", T(DATETIME), 0, 0, IDX, 0, "When the quote was created (UTC)."},
	{PRO, "ExpirationDate", T(DATETIME), 0, 0, 0, 0, "When the quote stops being valid (UTC)."},
	END,
};

static const bfield qli_f[] = {
	{PRO, "QuoteId", T(REFERENCE), "Quote", 0, 0, "QuoteLineItems", "The quote this line belongs to."},
	{PRO, "OpportunityLineItemId", T(REFERENCE), "OpportunityLineItem", 0, 0, "QuoteLineItems", "The opportunity line this quote line prices."},
	{PRO, "Product2Id", T(REFERENCE), "Product2", 0, 0, "QuoteLineItems", "The product quoted."},
	{PRO, "PricebookEntryId", T(REFERENCE), "PricebookEntry", 0, 0, "QuoteLineItems", "The price book entry the line is priced from."},
	{PRO, "Quantity", T(DOUBLE), 0, 0, 0, 0, "Number of units quoted."},
	{PRO, "UnitPrice", T(CURRENCY), 0, 0, 0, 0, "Price per unit before discount."},
	{PRO, "Discount", T(PERCENT), 0, 0, 0, 0, "Discount granted on the line, in percent."},
	{PRO, "TotalPrice", T(CURRENCY), 0, 0, 0, 0, "Quantity times UnitPrice times (1 - Discount/100)."},
	END,
};

static const bfield contract_f[] = {
	{PRO, "AccountId", T(REFERENCE), "Account", 0, 0, "Contracts", "The customer account bound by the contract."},
	{PRO, "Status", T(PICKLIST), 0, "In approval Process|Activated|Draft|Rejected|Negotiating|Awaiting Signature|Signature Declined|Signed|Canceled|Contract Terminated", RESTR, 0, "Where the contract stands."},
	{PRO, "StartDate", T(DATE), 0, 0, 0, 0, "Day the contract takes effect."},
	{PRO, "ContractTerm", T(INT), 0, 0, 0, 0, "Length of the contract in months."},
	{PRO, "CustomerSignedDate", T(DATE), 0, 0, 0, 0, "Day the customer signed."},
	{B, "CompanySignedDate", T(DATE), 0, 0, IDX, 0, "Day the company signed; a deal counts as sold on this day."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "Terms and conditions of the contract."},
	END,
};

static const bfield voice_f[] = {
	{PRO, "LeadId__c", T(REFERENCE), "Lead", 0, 0, "VoiceCallTranscripts__r", "The lead spoken with, for calls before conversion."},
	{PRO, "OpportunityId__c", T(REFERENCE), "Opportunity", 0, 0, "VoiceCallTranscripts__r", "The opportunity discussed, for calls about a deal."},
	{B, "TranscriptBody__c", T(TEXTAREA), 0, 0, 0, 0, "Full transcript of the call, speaker by speaker."},
	{P, "Body__c", T(TEXTAREA), 0, 0, 0, 0, "Full transcript of the call, speaker by speaker."},
	{PRO, "CreatedDate", T(DATETIME), 0, 0, 0, 0, "When the call started (UTC)."},
	{PRO, "EndTime__c", T(DATETIME), 0, 0, 0, 0, "When the call ended (UTC)."},
	END,
};

static const bfield task_f[] = {
	{PRO, "Subject", T(STRING), 0, 0, 0, 0, "What is to be done."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "Details of the to-do."},
	{PRO, "WhatId", T(REFERENCE), "Opportunity", 0, 0, "Tasks", "The opportunity the to-do serves."},
	{PRO, "OwnerId", T(REFERENCE), "User", 0, 0, "Tasks", "The employee who must do it."},
	{PRO, "Status", T(PICKLIST), 0, "Not Started|In Progress|Completed|Deferred|Waiting", RESTR, 0, "Progress of the to-do."},
	{PRO, "Priority", T(PICKLIST), 0, "Low|Medium|High|Urgent", RESTR, 0, "Urgency of the to-do."},
	{PRO, "ActivityDate", T(DATETIME), 0, 0, 0, 0, "When the to-do is due (UTC)."},
	END,
};

static const bfield event_f[] = {
	{PRO, "Subject", T(STRING), 0, 0, 0, 0, "Title of the meeting or call."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "Agenda and notes."},
	{PRO, "WhatId", T(REFERENCE), "Opportunity", 0, 0, "Events", "The opportunity the event serves."},
	{PRO, "OwnerId", T(REFERENCE), "User", 0, 0, "Events", "The employee who owns the event."},
	{PRO, "StartDateTime", T(DATETIME), 0, 0, 0, 0, "When the event starts (UTC)."},
	{PRO, "DurationInMinutes", T(INT), 0, 0, 0, 0, "Length of the event in minutes."},
	{PRO, "IsAllDayEvent", T(BOOLEAN), 0, 0, 0, 0, "True for an event that takes the whole day."},
	{PRO, "Location", T(STRING), 0, 0, 0, 0, "Where the event takes place (a room, a city or a call link)."},
	END,
};

static const bfield territory_f[] = {
	{PRO, "Name", T(STRING), 0, 0, 0, 0, "Name of the sales territory."},
	{PRO, "Description", T(TEXTAREA), 0, 0, 0, 0, "The US state codes the territory covers, comma-separated (for example CA,NV,OR)."},
	END,
};

static const bfield ut2a_f[] = {
	{PRO, "UserId", T(REFERENCE), "User", 0, 0, "UserTerritory2Associations", "The sales rep assigned to the territory."},
	{PRO, "Territory2Id", T(REFERENCE), "Territory2", 0, 0, "UserTerritory2Associations", "The territory."},
	END,
};

static const bfield lead_f[] = {
	{PRO, "FirstName", T(STRING), 0, 0, 0, 0, "Given name of the prospect."},
	{PRO, "LastName", T(STRING), 0, 0, 0, 0, "Family name of the prospect."},
	{B, "Company", T(STRING), 0, 0, 0, 0, "Company the prospect works for."},
	{B, "Title", T(STRING), 0, 0, 0, 0, "Job title of the prospect."},
	{PRO, "Email", T(EMAIL), 0, 0, 0, 0, "E-mail address of the prospect."},
	{PRO, "Phone", T(PHONE), 0, 0, 0, 0, "Phone number of the prospect."},
	{PRO, "Status", T(PICKLIST), 0, "New|Contacted|Qualified|Proposal|Negotiation|Closed", RESTR, 0, "Where the lead stands in qualification."},
	{PRO, "OwnerId", T(REFERENCE), "User", 0, 0, "Leads", "The sales rep working the lead."},
	{PRO, "CreatedDate", T(DATETIME), 0, 0, IDX, 0, "When the lead was created (UTC)."},
	{PRO, "IsConverted", T(BOOLEAN), 0, 0, 0, 0, "True once the lead became an account and contact."},
	{PRO, "ConvertedDate", T(DATE), 0, 0, 0, 0, "Day the lead was converted."},
	{PRO, "ConvertedAccountId", T(REFERENCE), "Account", 0, 0, "", "The account created from the lead on conversion."},
	{PRO, "ConvertedContactId", T(REFERENCE), "Contact", 0, 0, "", "The contact created from the lead on conversion."},
	END,
};

static const bobject objects[] = {
	{ALL, "User", "005", "User", "Users", "An employee of the company: support agent, sales rep or manager.", user_f},
	{C, "Account", "001", "Person Account", "Person Accounts", "A customer of the retailer; each account is one person (a person account).", account_f},
	{B, "Account", "001", "Account", "Accounts", "A business customer: a company that buys from us.", account_f},
	{P, "Account", "001", "Person Account", "Person Accounts", "A consumer customer; each account is one person (a person account).", account_f},
	{ALL, "Contact", "003", "Contact", "Contacts", "A person at a customer account whom employees deal with.", contact_f},
	{ALL, "Case", "500", "Case", "Cases", "A customer service request about a purchased product, from opening to closing.", case_f},
	{ALL, "Knowledge__kav", "ka0", "Knowledge Article", "Knowledge Articles", "An article of the knowledge base: product facts, FAQs and company policies.", knowledge_f},
	{ALL, "ProductCategory", "0ZG", "Product Category", "Product Categories", "A group of products in the catalog.", category_f},
	{ALL, "Product2", "01t", "Product", "Products", "A product the company sells.", product_f},
	{ALL, "ProductCategoryProduct", "0ZH", "Product Category Product", "Product Category Products", "Places a product in a product category.", catprod_f},
	{ALL, "Pricebook2", "01s", "Price Book", "Price Books", "A list of prices that apply during a period.", pricebook_f},
	{ALL, "PricebookEntry", "01u", "Price Book Entry", "Price Book Entries", "The price of one product in one price book.", pbentry_f},
	{ALL, "Order", "801", "Order", "Orders", "A purchase by a customer account.", order_f},
	{ALL, "OrderItem", "802", "Order Product", "Order Products", "One product line of an order.", orderitem_f},
	{ALL, "EmailMessage", "02s", "Email Message", "Email Messages", "An e-mail exchanged with a customer about a case or a deal.", email_f},
	{ALL, "LiveChatTranscript", "570", "Live Chat Transcript", "Live Chat Transcripts", "The record of a live chat between a customer and an agent.", chat_f},
	{ALL, "Issue__c", "a01", "Issue", "Issues", "A category of customer problem (the issue taxonomy).", issue_f},
	{ALL, "CaseHistory__c", "a02", "Case History", "Case Histories", "One event in the life of a case: its creation, an owner assignment, its closing.", history_f},
	{PRO, "Opportunity", "006", "Opportunity", "Opportunities", "A potential sale to a customer account, moving through sales stages.", opportunity_f},
	{PRO, "OpportunityLineItem", "00k", "Opportunity Product", "Opportunity Products", "One product line of an opportunity.", oli_f},
	{PRO, "Quote", "0Q0", "Quote", "Quotes", "A priced offer made to the customer for an opportunity.", quote_f},
	{PRO, "QuoteLineItem", "0QL", "Quote Line Item", "Quote Line Items", "One product line of a quote, with its discount.", qli_f},
	{PRO, "Contract", "800", "Contract", "Contracts", "A signed agreement with a customer account.", contract_f},
	{PRO, "VoiceCallTranscript__c", "a03", "Voice Call Transcript", "Voice Call Transcripts", "The transcript of a phone call with a lead or about an opportunity.", voice_f},
	{PRO, "Task", "00T", "Task", "Tasks", "A to-do of an employee about an opportunity.", task_f},
	{PRO, "Event", "00U", "Event", "Events", "A meeting or call on an employee's calendar about an opportunity.", event_f},
	{PRO, "Territory2", "0MI", "Territory", "Territories", "A sales territory: a set of US states.", territory_f},
	{PRO, "UserTerritory2Association", "0R0", "User Territory Association", "User Territory Associations", "Assigns a sales rep to a territory.", ut2a_f},
	{PRO, "Lead", "00Q", "Lead", "Leads", "A prospective customer not yet converted to an account.", lead_f},
};

/* Split "a|b|c" into `out` (pointers into `buf`). */
static int32_t split(const char *s, char *buf, size_t bufsz, const char **out, int32_t max)
{
	if (!s)
		return 0;
	snprintf(buf, bufsz, "%s", s);
	int32_t n = 0;
	char *p = buf;
	while (n < max) {
		out[n++] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	return n;
}

int crmw__schema_load_builtin(crmw_schema *s, const char *name)
{
	uint8_t set = strcmp(name, "crmarena") == 0 ? C
		    : strcmp(name, "b2b") == 0      ? B
		    : strcmp(name, "b2c") == 0      ? P
						    : 0;
	if (!set)
		return crmw__errf(&s->h.err, CRMW_ENOTFOUND,
				  "no built-in schema set '%s' (known: crmarena, b2b, b2c)", name);
	for (size_t i = 0; i < CRMW_ARRAY_LEN(objects); i++) {
		const bobject *bo = &objects[i];
		if (!(bo->sets & set))
			continue;
		crmw_object_spec os = {bo->name, bo->label, bo->plural, bo->prefix, bo->desc};
		crmw_object *o = NULL;
		int rc = crmw__schema_add_object_spec(s, &s->h.err, &os, &o);
		if (rc)
			return rc;
		for (const bfield *bf = bo->fields; bf->name; bf++) {
			if (!(bf->sets & set))
				continue;
			char rbuf[128], pbuf[512];
			const char *refs[8], *pick[32];
			crmw_field_spec fs = {
				.name = bf->name,
				.description = bf->desc,
				.type = bf->type,
				.refs = refs,
				.nrefs = split(bf->refs, rbuf, sizeof rbuf, refs, 8),
				.child_relationship = bf->child,
				.picklist = pick,
				.npicklist = split(bf->pick, pbuf, sizeof pbuf, pick, 32),
				.restricted = bf->flags & RESTR,
				.required = bf->flags & REQ,
				.unique = bf->flags & UNIQ,
				.indexed = bf->flags & IDX,
			};
			if ((rc = crmw__object_add_field(s, &s->h.err, o, &fs, false)))
				return rc;
		}
	}
	return CRMW_OK;
}
