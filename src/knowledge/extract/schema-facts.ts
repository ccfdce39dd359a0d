import { addressValue, formatPostalAddress } from './address.js';
import type { Candidate } from './candidate.js';
import { addToWeek, hoursValue, parseDays, parseSchemaOpeningHours, parseTimes, speakWeek, type Range, type Week } from './hours-parse.js';
import { emailValue, formatPhone, isGenericInbox, phoneValue } from './phone-email.js';
import { list, texts, typesOf, type SchemaNode } from './structured-data.js';
import { speakPrice } from './prices.js';
import { collapse, fold, truncate } from './text.js';

/**
 * schema.org nodes → candidate facts. Businesses (LocalBusiness and its subtypes, found at any
 * depth, e.g. as a service's `provider`) give name, contact, address, hours, price range,
 * founding date, staff, offers and rating; FAQPage gives question/answer pairs; Event gives
 * dated events; Service/Product nodes give services and prices.
 */

const BUSINESS_TYPES = new Set(
  (
    'LocalBusiness Organization Corporation NGO SportsOrganization EducationalOrganization MedicalOrganization ' +
    'Dentist Physician MedicalClinic MedicalBusiness Optician Pharmacy Hospital VeterinaryCare Store AutoPartsStore BikeStore ' +
    'BookStore ClothingStore ComputerStore ConvenienceStore DepartmentStore ElectronicsStore Florist FurnitureStore ' +
    'GardenStore GroceryStore HardwareStore HobbyShop HomeGoodsStore JewelryStore LiquorStore MensClothingStore ' +
    'MobilePhoneStore MovieRentalStore MusicStore OfficeEquipmentStore OutletStore PawnShop PetStore ShoeStore ' +
    'SportingGoodsStore TireShop ToyStore WholesaleStore FoodEstablishment Bakery BarOrPub Brewery CafeOrCoffeeShop ' +
    'Distillery FastFoodRestaurant IceCreamShop Restaurant Winery HomeAndConstructionBusiness Electrician ' +
    'GeneralContractor HVACBusiness HousePainter Locksmith MovingCompany Plumber RoofingContractor AutomotiveBusiness ' +
    'AutoBodyShop AutoDealer AutoRental AutoRepair AutoWash GasStation MotorcycleDealer MotorcycleRepair ' +
    'HealthAndBeautyBusiness BeautySalon DaySpa HairSalon HealthClub NailSalon TattooParlor LegalService Attorney ' +
    'Notary FinancialService AccountingService AutomatedTeller BankOrCreditUnion InsuranceAgency ProfessionalService ' +
    'RealEstateAgent EmergencyService FireStation PoliceStation LodgingBusiness BedAndBreakfast Campground Hostel Hotel ' +
    'Motel Resort ChildCare DryCleaningOrLaundry EmploymentAgency EntertainmentBusiness ExerciseGym GovernmentOffice ' +
    'Library RecyclingCenter SelfStorage ShoppingCenter SportsActivityLocation TouristInformationCenter TravelAgency ' +
    'AnimalShelter ArchiveOrganization InternetCafe RadioStation TelevisionStation'
  ).split(' '),
);
const NOT_BUSINESS = /^(Person|PostalAddress|ContactPoint|GeoCoordinates|Place|Event|.*Event|Offer|AggregateOffer|Product|WebSite|WebPage|.*Page|BreadcrumbList|ImageObject|Review|Rating|AggregateRating|Question|Answer|ItemList|ListItem|OpeningHoursSpecification|MedicalProcedure|.*Service|Service)$/;

export function isBusiness(node: SchemaNode): boolean {
  const types = typesOf(node);
  if (types.some((t) => BUSINESS_TYPES.has(t))) return true;
  if (types.length === 0 || types.some((t) => NOT_BUSINESS.test(t))) return false;
  return ['telephone', 'address', 'openingHours', 'openingHoursSpecification'].some((k) => node[k] !== undefined);
}

/** Every object nested in a node (depth-limited), the node first. */
function walk(node: unknown, visit: (n: SchemaNode) => void, depth = 0): void {
  if (depth > 10 || !node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit, depth + 1);
    return;
  }
  visit(node as SchemaNode);
  for (const value of Object.values(node as SchemaNode)) walk(value, visit, depth + 1);
}

/** Answers in JSON-LD are often HTML: inline tags vanish, block tags become sentence breaks. */
function stripHtml(text: string): string {
  return collapse(
    text
      .replace(/<\/?(b|strong|i|em|span|a|u|small|mark|code|sup|sub)(\s[^>]*)?>/gi, '')
      .replace(/<br\s*\/?>/gi, ' ')
      .replace(/<\/(p|li|div|h[1-6])>/gi, '. ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&amp;/g, '&'),
  )
    .replace(/\s+([.,;:!?])/g, '$1')
    .replace(/([.!?])\.+/g, '$1');
}

export function schemaCandidates(nodes: SchemaNode[], origin: 'jsonld' | 'microdata'): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<SchemaNode>();
  for (const top of nodes) {
    walk(top, (node) => {
      if (seen.has(node)) return;
      const types = typesOf(node);
      if (isBusiness(node)) {
        seen.add(node);
        out.push(...businessFacts(node, origin));
      } else if (types.includes('FAQPage')) {
        seen.add(node);
        out.push(...faqFacts(node, origin));
      } else if (types.some((t) => /Event$/.test(t))) {
        seen.add(node);
        const event = eventFact(node, origin);
        if (event) out.push(event);
      } else if (node === top && types.some((t) => /Service$|^Product$|^Offer$/.test(t))) {
        seen.add(node);
        out.push(...offerFacts([node], origin));
        out.push(...offerFacts(list(node['availableService'] ?? node['hasOfferCatalog']), origin));
      }
    });
  }
  return out;
}

function businessFacts(node: SchemaNode, origin: Candidate['origin']): Candidate[] {
  const out: Candidate[] = [];
  const name = texts(node['name'])[0];
  if (name) out.push({ kind: 'name', title: 'Business name', content: `The business is called ${name}.`, factKey: 'name', value: fold(name), origin });
  const description = texts(node['description'])[0];
  if (description) out.push({ kind: 'description', title: name ? `About ${name}` : 'About the business', content: truncate(stripHtml(description), 1500), origin });

  const contactPoints = list(node['contactPoint']).filter((c): c is SchemaNode => Boolean(c) && typeof c === 'object');
  for (const raw of [...texts(node['telephone']), ...contactPoints.flatMap((c) => texts(c['telephone']))]) {
    const value = phoneValue(raw) ?? (raw.replace(/\D/g, '').length >= 7 ? raw.replace(/\D/g, '') : undefined);
    if (value) out.push({ kind: 'phone', title: 'Phone', content: `The phone number is ${formatPhone(value)}.`, factKey: 'phone', value, origin });
  }
  for (const raw of [...texts(node['email']), ...contactPoints.flatMap((c) => texts(c['email']))]) {
    const value = emailValue(raw.replace(/^mailto:/i, ''));
    if (value) out.push({ kind: 'email', title: 'Email', content: `The email address is ${value}.`, ...(isGenericInbox(value) ? { factKey: 'email', value } : {}), origin });
  }
  const languages = contactPoints.flatMap((c) => texts(c['availableLanguage']));
  if (languages.length) out.push({ kind: 'team', title: 'Languages spoken', content: `Staff speak ${joinAnd([...new Set(languages)])}.`, origin });

  for (const address of list(node['address'])) {
    const display = typeof address === 'string' ? collapse(address) : address && typeof address === 'object' ? formatPostalAddress(address as SchemaNode) : undefined;
    if (display) out.push({ kind: 'address', title: 'Address', content: `The address is ${display}.`, factKey: 'address', value: addressValue(display), origin });
  }

  const week = schemaWeek(node);
  if (week && week.size > 0) out.push({ kind: 'hours', title: 'Opening hours', content: speakWeek(week), factKey: 'hours', value: hoursValue(week), origin });

  const priceRange = texts(node['priceRange'])[0];
  if (priceRange) {
    const content = /^\$+$/.test(priceRange) ? `Price range: ${priceRange} (on a scale from $ to $$$$).` : `Price range: ${priceRange}.`;
    out.push({ kind: 'price_range', title: 'Price range', content, origin });
  }
  const founded = /\b(1[89]\d{2}|20\d{2})\b/.exec(texts(node['foundingDate'])[0] ?? '')?.[1];
  if (founded) out.push({ kind: 'founded', title: 'Founded', content: `The business was founded in ${founded}.`, factKey: 'founded', value: founded, origin });

  const social = texts(node['sameAs'])
    .map((url) => /^https?:\/\/(?:www\.)?([^/]+)/i.exec(url)?.[1]?.replace(/\.(com|net|org)$/, ''))
    .filter((s): s is string => Boolean(s));
  if (social.length) out.push({ kind: 'social', title: 'Social media', content: `The business is on ${joinAnd([...new Set(social)].map(capitalize))}.`, origin });
  const areas = texts(node['areaServed']);
  if (areas.length) out.push({ kind: 'service_area', title: 'Service area', content: `Service area: ${joinAnd(areas)}.`, origin });
  const payment = texts(node['paymentAccepted']);
  if (payment.length) out.push({ kind: 'payment', title: 'Payment methods', content: `Payment accepted: ${payment.join(', ')}.`, origin });

  for (const person of ['founder', 'employee', 'employees', 'member', 'members'].flatMap((k) => list(node[k]))) {
    if (!person || typeof person !== 'object') continue;
    const p = person as SchemaNode;
    const personName = texts(p['name'])[0];
    if (!personName) continue;
    const role = texts(p['jobTitle'])[0];
    out.push({ kind: 'team', title: personName, content: role ? `${personName}: ${role}.` : `${personName} is part of the team.`, origin });
  }

  const rating = node['aggregateRating'] as SchemaNode | undefined;
  const ratingValue = rating && typeof rating === 'object' ? texts(rating['ratingValue'])[0] : undefined;
  if (rating && ratingValue) {
    const count = texts(rating['reviewCount'] ?? rating['ratingCount'])[0];
    const best = texts(rating['bestRating'])[0] ?? '5';
    out.push({ kind: 'section', title: 'Rating', content: `Rated ${ratingValue} out of ${best}${count ? ` from ${count} reviews` : ''}.`, category: 'credentials', origin });
  }
  out.push(...offerFacts([...list(node['makesOffer']), ...list(node['offers']), ...list(node['hasOfferCatalog'])], origin));
  return out;
}

/** openingHoursSpecification and openingHours strings → one week. */
function schemaWeek(node: SchemaNode): Week | undefined {
  const week: Week = new Map();
  for (const spec of list(node['openingHoursSpecification'])) {
    if (!spec || typeof spec !== 'object') continue;
    const s = spec as SchemaNode;
    if (s['validFrom'] !== undefined && s['validFrom'] === s['validThrough']) continue; // a one-day holiday exception
    const days = texts(s['dayOfWeek']).flatMap((d) => parseDays(d.replace(/^.*[/#]/, '')) ?? []);
    const opens = texts(s['opens'])[0];
    const closes = texts(s['closes'])[0];
    if (!days.length) continue;
    let ranges: Range[] | undefined;
    if (!opens || !closes || (/^0?0:00/.test(opens) && /^0?0:00/.test(closes))) ranges = [];
    else if (/^0?0:00/.test(opens) && /^23:59/.test(closes)) ranges = [[0, 1440]];
    else ranges = parseTimes(`${opens.slice(0, 5)}-${closes.slice(0, 5)}`);
    if (ranges) addToWeek(week, days, ranges);
  }
  for (const line of texts(node['openingHours']).flatMap((l) => l.split(/\s*[;\n]\s*/))) {
    const parsed = parseSchemaOpeningHours(line);
    if (parsed) addToWeek(week, parsed.days, parsed.ranges);
  }
  return week.size ? week : undefined;
}

function faqFacts(node: SchemaNode, origin: Candidate['origin']): Candidate[] {
  const out: Candidate[] = [];
  for (const q of list(node['mainEntity'])) {
    if (!q || typeof q !== 'object') continue;
    const question = texts((q as SchemaNode)['name'])[0] ?? texts((q as SchemaNode)['text'])[0];
    const answerNode = list((q as SchemaNode)['acceptedAnswer'])[0] ?? list((q as SchemaNode)['suggestedAnswer'])[0];
    const answer = answerNode && typeof answerNode === 'object' ? texts((answerNode as SchemaNode)['text'])[0] : typeof answerNode === 'string' ? answerNode : undefined;
    if (question && answer) out.push({ kind: 'faq', title: stripHtml(question), content: truncate(stripHtml(answer), 1500), origin });
  }
  return out;
}

function eventFact(node: SchemaNode, origin: Candidate['origin']): Candidate | undefined {
  const name = texts(node['name'])[0];
  const start = texts(node['startDate'])[0];
  if (!name || !start) return undefined;
  const place = texts(node['location'])[0];
  const description = texts(node['description'])[0];
  const content = `${name} on ${start.replace('T', ' at ')}${place ? ` at ${place}` : ''}.${description ? ` ${stripHtml(description)}` : ''}`;
  return { kind: 'event', title: name, content: truncate(content, 1500), origin };
}

/** Offers, catalogs and services: a priced item is a price, an unpriced one a service. */
function offerFacts(items: unknown[], origin: Candidate['origin'], depth = 0): Candidate[] {
  const out: Candidate[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object' || depth > 4) continue;
    const o = item as SchemaNode;
    if (o['itemListElement'] !== undefined) out.push(...offerFacts(list(o['itemListElement']), origin, depth + 1));
    const offered = (o['itemOffered'] && typeof o['itemOffered'] === 'object' ? o['itemOffered'] : o) as SchemaNode;
    const name = (texts(offered['name'])[0] ?? texts(o['name'])[0])?.replace(/\s+[-–|]\s+[^-–|]+$/, '');
    if (!name) continue;
    const description = texts(offered['description'])[0] ?? texts(offered['howPerformed'])[0] ?? texts(o['description'])[0];
    const spec = (o['priceSpecification'] ?? (Array.isArray(o['offers']) ? o['offers'][0] : o['offers'])) as SchemaNode | undefined;
    const price = texts(o['price'])[0] ?? (spec && typeof spec === 'object' ? texts(spec['price'])[0] : undefined);
    const currency = texts(o['priceCurrency'])[0] ?? (spec && typeof spec === 'object' ? texts(spec['priceCurrency'])[0] : undefined);
    if (price && /\d/.test(price)) {
      const amount = !currency || currency === 'USD' ? `$${price.replace(/^\$/, '')}` : `${price} ${currency}`;
      out.push({ kind: 'price', title: `Price: ${name}`, content: `${name}: ${speakPrice(amount)}.`, factKey: `price:${fold(name)}`, value: amount.toLowerCase().replace(/\s+/g, ''), origin });
    } else {
      out.push({ kind: 'service', title: name, content: description ? `${name}: ${truncate(stripHtml(description), 1400)}` : `The business offers ${name}.`, origin });
    }
  }
  return out;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
