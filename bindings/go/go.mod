module crmweaver

go 1.19
